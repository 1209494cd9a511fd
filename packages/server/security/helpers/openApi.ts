/** The gateway's routes as its OpenAPI document (`GET /docs/json`) lists them. */
import { call } from '../../test/helpers/http.ts';

export type JsonSchema = Record<string, unknown>;

export interface ApiRoute {
  /** Upper case: GET, POST, DELETE… */
  method: string;
  /** OpenAPI template, e.g. `/api/records/{id}/access`. */
  path: string;
  /** `GET /api/records/{id}`: how the suites name routes. */
  key: string;
  pathParameters: { name: string; schema: JsonSchema }[];
  queryParameters: { name: string; schema: JsonSchema }[];
  /** The JSON body's schema, if the route takes a body. */
  body: JsonSchema | undefined;
  /** The route asks for a session. */
  secured: boolean;
}

interface OpenApiOperation {
  parameters?: { in: string; name: string; schema: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
}

export async function openApiRoutes(url: string): Promise<ApiRoute[]> {
  const response = await call(url, 'GET', '/docs/json');
  if (response.status !== 200) throw new Error(`GET /docs/json: ${response.status}`);
  const document = response.body as { paths: Record<string, Record<string, OpenApiOperation>> };
  const routes: ApiRoute[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = operation.parameters ?? [];
      routes.push({
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        pathParameters: parameters.filter((p) => p.in === 'path'),
        queryParameters: parameters.filter((p) => p.in === 'query'),
        body: operation.requestBody?.content?.['application/json']?.schema,
        secured: (operation.security?.length ?? 0) > 0,
      });
    }
  }
  return routes;
}

/** The route's path with its parameters filled in (each value URL-encoded unless `raw`). */
export function pathOf(route: Pick<ApiRoute, 'path'>, values: Record<string, string>, raw = false): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} of ${route.path}`);
    return raw ? value : percentEncoded(value);
  });
}

/** `encodeURIComponent`, with lone surrogates sent as the (invalid) UTF-8 bytes of one. */
function percentEncoded(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...value]
      .map((character) => {
        try {
          return encodeURIComponent(character);
        } catch {
          return '%ED%A0%80';
        }
      })
      .join('');
  }
}
