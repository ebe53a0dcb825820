import {
  type ApiDefinition,
  COMMON_ERRORS,
  type EndpointDef,
  type EndpointOutput,
  type HandlerInput,
  Problem,
  splitKey,
} from '@preau/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../module.ts';
import type { RawJson } from './serializer.ts';

/** What a handler receives: the validated params, query and body, and the request (its `ctx`, raw parts). */
export type EndpointRequest<D> = HandlerInput<D> & { req: FastifyRequest };

/**
 * A handler returns the success body — or the same put together as JSON from kept parts (`RawJson`, raw-json.ts:
 * sent as is, checked against the schema in tests); a binary endpoint sends through `reply` itself (a stream, a
 * PDF) and returns the reply.
 */
export type EndpointHandler<D> = (
  input: EndpointRequest<D>,
  reply: FastifyReply,
) => Promise<D extends { binary: string } ? FastifyReply : EndpointOutput<D> | RawJson<EndpointOutput<D>>>;

export type Handlers<A extends ApiDefinition> = {
  [K in keyof A['endpoints']]: EndpointHandler<A['endpoints'][K]>;
};

const PROBLEM_STATUSES = [400, 401, 403, 404, 409, 413, 415, 422, 429, 503] as const;

/**
 * Registers every endpoint of a module's API in the module's scope (mounted at `prefix`), each with its
 * handler. The handler map is exhaustive by type: an endpoint without a handler does not compile, and a
 * handler cannot return a body its schema refuses.
 */
export function registerEndpoints<A extends ApiDefinition>(
  app: App,
  prefix: string,
  api: A,
  handlers: Handlers<A>,
): void {
  for (const [key, def] of Object.entries(api.endpoints) as [string, EndpointDef][]) {
    const { method, path } = splitKey(key);
    if (!path.startsWith(prefix)) throw new Error(`Endpoint ${key} is outside its module's prefix ${prefix}`);
    const url = path.slice(prefix.length) || '/';
    const status = def.status ?? 200;
    const response: Record<number, z.ZodType> = {};
    if (def.response) response[status] = def.response;
    else if (status === 204) response[204] = z.null();
    for (const s of PROBLEM_STATUSES) response[s] = Problem;
    const codes = [...new Set([...def.errors])].filter((c) => !(COMMON_ERRORS as readonly string[]).includes(c));
    const handler = handlers[key as keyof A['endpoints']] as EndpointHandler<EndpointDef>;
    app.route({
      method,
      url,
      config: {
        ...('permission' in def.access ? { permission: def.access.permission } : { auth: def.access.auth }),
        ...('csrf' in def.access && def.access.csrf === false ? { csrf: false as const } : {}),
        ...(def.establishment ? { establishment: def.establishment } : {}),
      },
      schema: {
        tags: [api.module],
        summary: def.summary,
        ...(codes.length ? { description: `Problem codes: ${codes.join(', ')}.` } : {}),
        ...(def.params ? { params: def.params } : {}),
        ...(def.query ? { querystring: def.query } : {}),
        ...(def.body ? { body: def.body } : {}),
        ...(def.multipart ? { consumes: ['multipart/form-data'] } : {}),
        ...(def.binary ? {} : { response }),
      },
      handler: async (req, reply) => {
        const out = await handler(
          { params: req.params, query: req.query, body: req.body, req } as EndpointRequest<EndpointDef>,
          reply,
        );
        if (def.binary) return reply;
        reply.code(status);
        return status === 204 ? null : out;
      },
    });
  }
}
