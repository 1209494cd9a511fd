/**
 * fast-check arbitraries from the JSON schemas of the gateway's routes: values that follow the
 * schema, and hostile variants of them (wrong types, huge, unicode and control strings, deep
 * nesting, prototype-pollution keys).
 */
import fc from 'fast-check';
import type { JsonSchema } from './openApi.ts';

/** Values that follow `schema` (the subset the gateway's schemas use). */
export function validOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  const anyOf = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (anyOf) return fc.oneof(...anyOf.map(validOf));
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const type = schema.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t: string) => validOf({ ...schema, type: t })));
  const base = ((): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'object': {
        const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
        if (Object.keys(properties).length === 0) return fc.object({ maxDepth: 2 });
        const model = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, validOf(s)]));
        return fc.record(model, { requiredKeys: (schema.required ?? []) as string[] });
      }
      case 'array':
        return fc.array(validOf((schema.items ?? {}) as JsonSchema), {
          minLength: (schema.minItems as number | undefined) ?? 0,
          maxLength: Math.min((schema.maxItems as number | undefined) ?? 5, 8),
        });
      case 'integer':
        return fc.integer({
          min: Math.max((schema.minimum as number | undefined) ?? -1e9, Number.MIN_SAFE_INTEGER),
          max: Math.min((schema.maximum as number | undefined) ?? 1e9, Number.MAX_SAFE_INTEGER),
        });
      case 'number':
        return fc.double({ noNaN: true, noDefaultInfinity: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'string': {
        const maxLength = Math.min((schema.maxLength as number | undefined) ?? 64, 300);
        if (typeof schema.pattern === 'string') {
          return fc
            .stringMatching(new RegExp(schema.pattern))
            .filter((s) => s.length <= ((schema.maxLength as number | undefined) ?? Infinity));
        }
        return fc.string({ minLength: (schema.minLength as number | undefined) ?? 0, maxLength });
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  })();
  return schema.nullable ? fc.oneof(base, fc.constant(null)) : base;
}

/** Strings no schema field expects: huge, unicode, control characters, lone surrogates, injections. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '\u0000',
    '\u0000\u0001\u001b[31m\u007f',
    '\r\nX-Injected: 1',
    '\ud800',
    '\udfff\ud800',
    '\u202e\u2066',
    '\ufeff',
    '%00',
    '../../../../etc/passwd',
    "' OR 1=1 --",
    '$' + '{process.exit()}',
    '{{constructor.constructor("return process")()}}',
    '<script>alert(1)</script>',
    '0x',
    `0x${'f'.repeat(64)}`,
    '9'.repeat(400),
    '-0',
    'NaN',
    '1e400',
  ),
  fc.integer({ min: 1, max: 2_000_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1, max: 100_000 }).map((n) => '\u{1F600}'.repeat(n)),
);

/** Values of the wrong type, or of no sane size. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, [], {}),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).map(String),
  fc.jsonValue({ maxDepth: 4 }),
  fc.integer({ min: 1, max: 500 }).map((depth) => nested(depth)),
  fc.integer({ min: 1, max: 50_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
);

/** `depth` arrays and objects inside each other, as JSON text (too deep for `JSON.stringify`). */
export function nestedText(depth: number): string {
  let open = '';
  let close = '';
  for (let i = depth - 1; i >= 0; i--) {
    open += i % 2 ? '[' : '{"a":';
    close = (i % 2 ? ']' : '}') + close;
  }
  return `${open}1${close}`;
}

/** `depth` arrays and objects inside each other. */
export function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/**
 * Keys that pollute prototypes if copied naively, as JSON text (`JSON.stringify` drops a real
 * `__proto__` key, so the raw text is built by hand).
 */
export const pollutionKeys = ['__proto__', 'constructor', 'prototype'] as const;

/** The JSON text of `body` with a prototype-pollution member added at its top or one level down. */
export function withPollution(body: unknown, key: (typeof pollutionKeys)[number], deep: boolean): string {
  const payload =
    key === 'constructor'
      ? '{"prototype":{"polluted":"yes","isAdmin":true}}'
      : '{"polluted":"yes","isAdmin":true}';
  const text = JSON.stringify(body);
  if (!body || typeof body !== 'object' || Array.isArray(body) || text === '{}')
    return `{"${key}":${payload}}`;
  if (deep) {
    const inner = Object.entries(body).find(([, v]) => v && typeof v === 'object' && !Array.isArray(v));
    if (inner) {
      const [name, value] = inner;
      const innerText = JSON.stringify(value);
      const polluted =
        innerText === '{}' ? `{"${key}":${payload}}` : `{"${key}":${payload},${innerText.slice(1)}`;
      return JSON.stringify({ ...body, [name]: '__INNER__' }).replace('"__INNER__"', polluted);
    }
  }
  return `{"${key}":${payload},${text.slice(1)}`;
}

/** Copies of `body` (an object) with the value at a random path (nested too) replaced. */
export function replaceSomewhere(body: unknown, value: unknown, choice: number): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return value;
  const keys = Object.keys(body);
  if (keys.length === 0) return { [String(choice % 7)]: value };
  const key = keys[choice % keys.length] as string;
  const current = (body as Record<string, unknown>)[key];
  const goDeeper = current && typeof current === 'object' && !Array.isArray(current) && choice % 3 === 0;
  return {
    ...body,
    [key]: goDeeper ? replaceSomewhere(current, value, Math.floor(choice / 3)) : value,
  };
}
