import type { z } from 'zod';

/**
 * Typed endpoints: one definition per endpoint, keyed by `'METHOD /api/path/:param'`.
 *
 * The server registers each definition with its handler (`server/src/platform/http/endpoints.ts`): the key gives
 * the method and URL, the schemas validate and serialise, `access` is the route permission, `establishment` says
 * where a service endpoint names its establishment, `errors` lists the problem codes it may answer (OpenAPI).
 * The web calls an endpoint by its key (`call('GET /api/portal', { query })`) with a type-only import of the
 * definitions: the key is the only runtime value it needs, so zod stays out of the web's first chunk.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call an endpoint: holders of a permission (in at least one establishment), anyone signed in, anyone. */
export type Access<P extends string> =
  | { permission: P }
  | { auth: 'session' }
  /** `csrf: false`: a public state-changing endpoint (login, activation) checks `Origin` instead. */
  | { auth: 'public'; csrf?: false };

/**
 * Where an endpoint names the establishment it acts in. Required on every endpoint of a service module: the
 * service gate checks exactly that establishment (membership, charter, service open) — never a guess.
 * `object`: the establishment is the one of the object the URL or body names (a lesson, a file); the use case
 * resolves it and passes it to `authorize(…, { service })`, which runs the same gate.
 */
export type EstablishmentSource = { query: string } | { params: string } | { body: string } | 'object' | 'none';

/** Success answers. Binary answers (PDF, a file) set `binary` with their content type instead of `response`. */
export type SuccessStatus = 200 | 201 | 202 | 204;

export interface EndpointDef<P extends string = string, E extends string = string> {
  summary: string;
  access: Access<P>;
  establishment?: EstablishmentSource;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** A `multipart/form-data` upload: the handler reads the parts itself (streamed, never buffered whole). */
  multipart?: true;
  status?: SuccessStatus;
  response?: z.ZodType;
  binary?: string;
  /** Problem codes besides the ones every endpoint may give (400 VALIDATION, 401, 403 FORBIDDEN/CSRF, 404). */
  errors: readonly E[];
}

export type EndpointKey = `${Method} /api/${string}`;

export interface ApiDefinition<
  P extends string = string,
  E extends string = string,
  EP extends Record<EndpointKey, EndpointDef<P, string>> = Record<EndpointKey, EndpointDef<P, string>>,
> {
  /** The server module these endpoints belong to. */
  module: string;
  /** The module's permissions (`<module>.<verb>`); their default profiles are declared by the server module. */
  permissions: readonly P[];
  /** The module's own problem codes (UPPER_SNAKE); each needs French and English wording on the server. */
  errors: readonly E[];
  endpoints: EP;
}

/** Problem codes any endpoint may answer, whoever defines it. */
export const COMMON_ERRORS = [
  'VALIDATION',
  'BAD_REQUEST',
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHENTICATED',
  'CSRF',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'SERVICE_CLOSED',
  'CHARTER_NOT_ACCEPTED',
  'TOO_MANY_ATTEMPTS',
  'INTERNAL',
  'DATABASE_DOWN',
] as const;
export type CommonError = (typeof COMMON_ERRORS)[number];

/** Declares a module's API; `const` type parameters keep every key, permission and code as a literal. */
export function defineApi<
  const P extends string,
  const E extends string,
  const EP extends Record<EndpointKey, EndpointDef<NoInfer<P>, NoInfer<E> | CommonError>>,
>(api: { module: string; permissions: readonly P[]; errors: readonly E[]; endpoints: EP }): ApiDefinition<P, E, EP> {
  return api as ApiDefinition<P, E, EP>;
}

type Out<S> = S extends z.ZodType ? z.output<S> : never;
type In<S> = S extends z.ZodType ? z.input<S> : never;

/** What a caller sends: `params`, `query` and `body` as each endpoint declares them (inputs: defaults optional). */
export type EndpointInput<D> = (D extends { params: z.ZodType } ? { params: In<D['params']> } : unknown) &
  (D extends { query: z.ZodType } ? { query: In<D['query']> } : unknown) &
  (D extends { body: z.ZodType } ? { body: In<D['body']> } : unknown) &
  (D extends { multipart: true } ? { body: FormData } : unknown);

/** What a caller gets back: the success body, `void` for 204, a Blob for binary answers. */
export type EndpointOutput<D> = D extends { response: z.ZodType }
  ? Out<D['response']>
  : D extends { binary: string }
    ? Blob
    : undefined;

/** What a handler receives (after validation: defaults applied). */
export type HandlerInput<D> = {
  params: D extends { params: z.ZodType } ? Out<D['params']> : Record<string, never>;
  query: D extends { query: z.ZodType } ? Out<D['query']> : Record<string, never>;
  body: D extends { body: z.ZodType } ? Out<D['body']> : undefined;
};

/** The key's method and path, for clients. */
export function splitKey(key: string): { method: Method; path: string } {
  const space = key.indexOf(' ');
  return { method: key.slice(0, space) as Method, path: key.slice(space + 1) };
}

/** `/api/x/:id` + `{ id }` → `/api/x/<id>` (each value URI-encoded). */
export function fillPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    const v = params?.[name];
    if (v === undefined || v === null) throw new Error(`Missing path parameter ${name} for ${path}`);
    return encodeURIComponent(String(v));
  });
}
