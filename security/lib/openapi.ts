// The OpenAPI document as a test oracle: find the operation of a route, make valid sample values
// from its schemas (and fast-check arbitraries for fuzzing), and validate a response body against
// the documented schema for its status. The validator covers the subset of JSON Schema the document
// uses (type, enum, const, required, properties, additionalProperties, propertyNames, items, anyOf,
// oneOf, allOf, string and number bounds, pattern, $ref); anything else is accepted, not guessed.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';

export type Schema = Record<string, unknown>;
export type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};
export type Operation = {
  operationId?: string;
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: Schema }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: unknown[];
};

export function specOf(app: FastifyInstance): Doc {
  return (app as unknown as { swagger(): Doc }).swagger();
}

export const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

export function operationFor(doc: Doc, method: string, url: string): Operation | undefined {
  return doc.paths[openApiPath(url)]?.[method.toLowerCase()];
}

export function resolve(doc: Doc, schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; i < 20 && typeof s.$ref === 'string'; i++) {
    const name = (s.$ref as string).replace('#/components/schemas/', '');
    s = doc.components?.schemas?.[name] ?? {};
  }
  return s;
}

export function bodySchema(doc: Doc, op: Operation | undefined): Schema | undefined {
  const s = op?.requestBody?.content?.['application/json']?.schema;
  return s ? resolve(doc, s) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Validation

const typeOf = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;

export function validate(doc: Doc, schemaIn: Schema | undefined, value: unknown, at = '$'): string[] {
  const s = resolve(doc, schemaIn);
  const errs: string[] = [];
  if (Object.keys(s).length === 0) return errs;
  if (Array.isArray(s.allOf))
    for (const sub of s.allOf as Schema[]) errs.push(...validate(doc, sub, value, at));
  for (const k of ['anyOf', 'oneOf'] as const) {
    if (!Array.isArray(s[k])) continue;
    const ok = (s[k] as Schema[]).filter((sub) => validate(doc, sub, value, at).length === 0).length;
    if (ok === 0) errs.push(`${at}: matches none of ${k}`);
  }
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(value))
    errs.push(`${at}: not ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    errs.push(`${at}: ${JSON.stringify(value)?.slice(0, 40)} not in enum`);
  if (s.type !== undefined) {
    const types = ([] as unknown[]).concat(s.type);
    const t = typeOf(value);
    const ok = types.some((x) => x === t || (x === 'number' && t === 'integer'));
    if (!ok) return [...errs, `${at}: ${t}, expected ${types.join('|')}`];
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && [...value].length < s.minLength)
      errs.push(`${at}: shorter than ${s.minLength}`);
    if (typeof s.maxLength === 'number' && [...value].length > s.maxLength)
      errs.push(`${at}: longer than ${s.maxLength}`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value))
      errs.push(`${at}: does not match ${s.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errs.push(`${at}: below ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) errs.push(`${at}: above ${s.maximum}`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum)
      errs.push(`${at}: not above ${s.exclusiveMinimum}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems)
      errs.push(`${at}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems)
      errs.push(`${at}: more than ${s.maxItems} items`);
    if (s.items && typeof s.items === 'object')
      value.forEach((v, i) => {
        errs.push(...validate(doc, s.items as Schema, v, `${at}[${i}]`));
      });
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required ?? []) as string[]) if (!(r in obj)) errs.push(`${at}: missing ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errs.push(...validate(doc, props[k], v, `${at}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${at}: unexpected property ${k}`);
      else if (s.additionalProperties && typeof s.additionalProperties === 'object')
        errs.push(...validate(doc, s.additionalProperties as Schema, v, `${at}.${k}`));
      if (s.propertyNames && typeof s.propertyNames === 'object')
        errs.push(...validate(doc, s.propertyNames as Schema, k, `${at}{${k}}`));
    }
  }
  return errs;
}

/** The documented schema for a response status, if any (undefined: the status is undocumented). */
export function responseSchema(doc: Doc, op: Operation | undefined, status: number) {
  const r = op?.responses?.[String(status)] ?? op?.responses?.default;
  if (!r) return undefined;
  const json = r.content?.['application/json']?.schema;
  return { schema: json ? resolve(doc, json) : undefined, hasContent: !!r.content };
}

// ---------------------------------------------------------------------------------------------
// Samples

const STRING_CANDIDATES = [
  'example',
  'a',
  'x@example.com',
  '00000000-0000-7000-8000-000000000000',
  '2026-01-05T09:00:00.000Z',
  'https://hooks.example.com/assay',
  'databases',
  'abc-123',
  '0',
  'AB12',
];

function sampleString(s: Schema): string {
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : 200;
  const pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern, 'u') : undefined;
  if (s.format === 'email') return 'someone@example.com';
  for (const c of STRING_CANDIDATES) {
    if (c.length >= min && c.length <= max && (!pattern || pattern.test(c))) return c;
  }
  return 'x'.repeat(Math.max(min, 1)).slice(0, Math.max(max, 1));
}

/** A value that satisfies the schema, as far as the subset allows: enums, consts, bounds, required. */
export function sampleValid(doc: Doc, schemaIn: Schema | undefined, depth = 0): unknown {
  const s = resolve(doc, schemaIn);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if ('default' in s && depth > 0) return s.default;
  for (const k of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[k])) {
      const options = (s[k] as Schema[]).map((x) => resolve(doc, x));
      const nonNull = options.find((x) => x.type !== 'null') ?? options[0];
      return sampleValid(doc, nonNull, depth + 1);
    }
  }
  if (Array.isArray(s.allOf))
    return Object.assign({}, ...(s.allOf as Schema[]).map((x) => sampleValid(doc, x, depth + 1)));
  const type = ([] as unknown[])
    .concat(s.type ?? (s.properties ? 'object' : 'string'))
    .find((x) => x !== 'null');
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const r of (s.required ?? []) as string[]) out[r] = sampleValid(doc, props[r], depth + 1);
      return out;
    }
    case 'array': {
      const n = typeof s.minItems === 'number' ? s.minItems : 0;
      return Array.from({ length: n }, () => sampleValid(doc, s.items as Schema, depth + 1));
    }
    case 'integer':
    case 'number': {
      const min =
        typeof s.minimum === 'number'
          ? s.minimum
          : typeof s.exclusiveMinimum === 'number'
            ? s.exclusiveMinimum + 1
            : 0;
      const max = typeof s.maximum === 'number' ? s.maximum : min + 10;
      return Math.min(Math.max(min, 1), max);
    }
    case 'boolean':
      return true;
    default:
      return sampleString(s);
  }
}

/**
 * fast-check values for a schema: mostly valid ones (every optional property sometimes present),
 * and at `hostile` the edges fuzzing is for: huge and non-finite-looking numbers, very long and
 * odd Unicode strings, wrong types, deep nesting, prototype-pollution keys.
 */
export function arbitraryFor(doc: Doc, schemaIn: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, schemaIn);
  const hostile = fc.oneof(
    fc.constantFrom(
      1e308,
      -1e308,
      2 ** 53 + 1,
      -(2 ** 63),
      0.1 + 0.2,
      '',
      ' ',
      '\u0000',
      '\u202e\u0000../../etc/passwd',
      "' or 1=1 --",
      '<script>alert(1)</script>',
      '𝕏'.repeat(300),
      'x'.repeat(70_000),
      null,
      true,
      [],
      {},
      { __proto__: { polluted: true } },
      JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}'),
    ),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.integer(),
    fc.double(),
  );
  if (depth > 6) return fc.constant(sampleValid(doc, s, depth));
  const valid = (() => {
    if ('const' in s) return fc.constant(s.const);
    if (Array.isArray(s.enum) && s.enum.length) return fc.constantFrom(...(s.enum as unknown[]));
    for (const k of ['anyOf', 'oneOf'] as const)
      if (Array.isArray(s[k]))
        return fc.oneof(...(s[k] as Schema[]).map((x) => arbitraryFor(doc, x, depth + 1)));
    const type = ([] as unknown[])
      .concat(s.type ?? (s.properties ? 'object' : 'string'))
      .find((x) => x !== 'null');
    switch (type) {
      case 'object': {
        const props = (s.properties ?? {}) as Record<string, Schema>;
        const required = new Set((s.required ?? []) as string[]);
        const shape: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) shape[k] = arbitraryFor(doc, v, depth + 1);
        return fc.record(shape, { requiredKeys: [...required].filter((k) => k in shape) });
      }
      case 'array':
        return fc.array(arbitraryFor(doc, s.items as Schema, depth + 1), {
          minLength: typeof s.minItems === 'number' ? s.minItems : 0,
          maxLength: Math.min(typeof s.maxItems === 'number' ? s.maxItems : 5, 5),
        });
      case 'integer':
        return fc.integer({
          min: typeof s.minimum === 'number' ? Math.max(s.minimum, -1e9) : -1e6,
          max: typeof s.maximum === 'number' ? Math.min(s.maximum, 1e9) : 1e6,
        });
      case 'number':
        return fc.double({ min: -1e6, max: 1e6, noNaN: true });
      case 'boolean':
        return fc.boolean();
      default:
        return fc.oneof(fc.constant(sampleValid(doc, s, depth)), fc.string({ maxLength: 30 }));
    }
  })();
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: hostile });
}
