import { isDeepStrictEqual } from 'node:util';
import fastJson from 'fast-json-stringify';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { safeEncode } from 'zod/v4/core';

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
 */
export function responseSerializerCompiler({ validate }: { validate: boolean }): SerializerCompiler {
  return ({ schema, method, url }) => {
    if (!(schema instanceof z.ZodType)) {
      // A plain JSON Schema (a route outside the zod contract): compile it as Fastify would.
      return fastJson((schema ?? {}) as Parameters<typeof fastJson>[0]) as (data: unknown) => string;
    }
    const stringify = fastJson(toJsonSchema(schema)) as (data: unknown) => string;
    if (!validate) return stringify;
    return (data) => {
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
  return json as unknown as Parameters<typeof fastJson>[0];
}
