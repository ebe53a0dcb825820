import { isDeepStrictEqual } from 'node:util';
import fastJson from 'fast-json-stringify';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { safeEncode } from 'zod/v4/core';

/**
 * An answer already written as JSON (UTF-8 bytes), for the pages whose parts are the same for every reader and are
 * kept serialised once (e.g. a lesson of a class's logbook week, shared by all its teachers): the handler returns
 * it instead of the object and the route's serializer (serializer.ts) sends the bytes as they are. The route keeps
 * its zod response schema — the contract, the OpenAPI document — and in tests (`validate`) the bytes are parsed
 * and checked against it like any other answer. `T` is the answer's type: a handler may return a `RawJson<T>` where
 * it may return a `T`.
 *
 * Write it with a `JsonWriter`: text for the parts computed per request, bytes for the kept parts.
 */
export class RawJson<T = unknown> {
  /** Never set: only carries `T`, so that a RawJson of one answer cannot stand for another's. */
  declare readonly answer?: T;
  readonly bytes: Buffer;
  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }
}

type SerializerCompiler = (route: {
  schema: unknown;
  method: string;
  url: string;
  httpStatus?: string;
}) => (data: unknown) => string;

/**
 * Responses are written by fast-json-stringify, compiled once per route from the JSON Schema of the route's zod
 * response schema (the zod schemas in contracts/ stay the single source). fastify-type-provider-zod's own serializer
 * re-validated every response with zod and then ran JSON.stringify: several times slower on the daily pages.
 *
 * With `validate` (tests, `PREAU_VALIDATE_RESPONSES=1`), each response is also checked against its zod schema first,
 * and a mismatch is the same 500 `INTERNAL` (logged) as before; the compiled output is compared with zod's. Without it, a presenter that breaks its contract
 * is caught by the test suite, not at run time: fast-json-stringify drops unknown keys and fails on a missing
 * required one, but coerces wrong scalar types.
 *
 * A handler may also answer a `RawJson` (raw-json.ts): its bytes are sent as they are; with `validate` they are
 * parsed and checked against the same schema, and must hold nothing the schema does not (zod's output of the parsed
 * answer must equal it).
 */
export function responseSerializerCompiler({ validate }: { validate: boolean }): SerializerCompiler {
  return ({ schema, method, url }) => {
    if (!(schema instanceof z.ZodType)) {
      // A plain JSON Schema (a route outside the zod contract): compile it as Fastify would.
      return fastJson((schema ?? {}) as Parameters<typeof fastJson>[0]) as (data: unknown) => string;
    }
    const stringify = fastJson(toJsonSchema(schema)) as (data: unknown) => string;
    // Fastify sends a Buffer from a serializer as it is (its type says string).
    if (!validate) return (data) => (data instanceof RawJson ? (data.bytes as unknown as string) : stringify(data));
    return (data) => {
      if (data instanceof RawJson) {
        // Not JSON: JSON.parse throws (a 500, as any failing serializer).
        const parsed: unknown = JSON.parse(data.bytes.toString('utf8'));
        const checked = safeEncode(schema, parsed);
        if (checked.error) throw new ResponseSerializationError(method, url, { cause: checked.error });
        if (!isDeepStrictEqual(parsed, JSON.parse(JSON.stringify(checked.data))))
          throw new Error(`${method} ${url}: the raw answer holds what its schema does not: ${data.bytes}`);
        return data.bytes as unknown as string;
      }
      const checked = safeEncode(schema, data);
      if (checked.error) throw new ResponseSerializationError(method, url, { cause: checked.error });
      const out = stringify(checked.data);
      // The compiled serializer must write what zod + JSON.stringify wrote: the test suite checks it on every response.
      if (!isDeepStrictEqual(JSON.parse(out), JSON.parse(JSON.stringify(checked.data)))) {
        throw new Error(`${method} ${url}: the compiled serializer and zod disagree: ${out}`);
      }
      return out;
    };
  };
}

/** The JSON Schema of a zod response schema, as fast-json-stringify reads it (draft 7, no `$schema`). */
export function toJsonSchema(schema: z.ZodType): Parameters<typeof fastJson>[0] {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, {
    io: 'output',
    target: 'draft-7',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return nullableAsTypes(json) as unknown as Parameters<typeof fastJson>[0];
}

/**
 * zod writes `x.nullable()` as `anyOf: [x, {type: 'null'}]`, which fast-json-stringify serialises by running an ajv
 * validation of `x` on every value (a uuid's regular expression for each nullable id, the largest item of a week
 * page's serialisation after writing). When `x` has one `type` and no alternatives of its own, `type: [x's, 'null']`
 * says the same and is chosen by `typeof` / `=== null`.
 */
function nullableAsTypes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableAsTypes);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableAsTypes(v);
  const anyOf = out.anyOf;
  if (!Array.isArray(anyOf) || anyOf.length !== 2 || Object.keys(out).length !== 1) return out;
  const isNull = (s: unknown) =>
    !!s && typeof s === 'object' && (s as { type?: unknown }).type === 'null' && Object.keys(s).length === 1;
  const other = isNull(anyOf[1]) ? anyOf[0] : isNull(anyOf[0]) ? anyOf[1] : null;
  if (!other || typeof other !== 'object') return out;
  const o = other as Record<string, unknown>;
  if (typeof o.type !== 'string' || o.type === 'null' || 'anyOf' in o || 'oneOf' in o || 'allOf' in o || '$ref' in o)
    return out;
  return { ...o, type: [o.type, 'null'] };
}
