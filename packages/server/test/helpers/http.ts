/** Plain HTTP calls to a gateway, and assertions on its error answers. */
import assert from 'node:assert/strict';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the raw text when the body is not JSON. */
  body: unknown;
  text: string;
}

export interface CallOptions {
  /** Sent as JSON unless `raw` is set. */
  body?: unknown;
  /** Sent as is, with `contentType` (default none). */
  raw?: string;
  contentType?: string;
  token?: string;
  headers?: Record<string, string>;
}

/**
 * One HTTP request to the gateway at `baseUrl`.
 *
 * @example
 * const { status, body } = await call(gateway.url, 'GET', '/api/health');
 */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
    if (options.contentType) headers['content-type'] = options.contentType;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

export interface ErrorBody {
  error: { code: string; message: string; details?: string };
}

/**
 * Asserts a gateway error answer: the status, the stable code, a message, and nothing that looks
 * like a stack trace. Returns the message for further checks.
 */
export function assertError(response: ApiResponse, status: number, code: string): string {
  assert.equal(response.status, status, `expected HTTP ${status}, got ${response.status}: ${response.text}`);
  assertErrorShape(response);
  const { error } = response.body as ErrorBody;
  assert.equal(error.code, code, `expected code ${code}: ${response.text}`);
  return error.message;
}

/** Asserts `{ error: { code, message } }`, JSON content type, and no stack trace or internal path. */
export function assertErrorShape(response: ApiResponse): void {
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/, response.text);
  const body = response.body as Partial<ErrorBody> | undefined;
  assert.ok(body && typeof body === 'object' && body.error, `not an error body: ${response.text}`);
  assert.equal(typeof body.error.code, 'string', response.text);
  assert.equal(typeof body.error.message, 'string', response.text);
  assert.ok(body.error.message.length > 0, 'empty error message');
  assert.doesNotMatch(response.text, /\bat \S+ \(|node:internal|\/src\/\S+\.ts:\d+/, 'stack trace leaked');
}
