import type { ServiceKey } from '@preau/contracts';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { PermissionDefaults } from './access/permissions.ts';

/** The Fastify instance every module plugin receives: zod schemas type the handlers. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface ModuleDefinition {
  name: string;
  /** Key in the services catalogue: when set, every route of the module is gated by the service's opening. */
  service?: ServiceKey;
  prefix: string;
  /** The module's permissions and the profiles holding each by default. */
  permissions: PermissionDefaults;
  /** An encapsulated plugin (no fastify-plugin): it cannot leak decorators to other modules. */
  plugin: (app: App) => Promise<void>;
}

export const defineModule = (m: ModuleDefinition): ModuleDefinition => m;

/** How a route says who may call it. Every /api route must say one of these (checked at start-up). */
export type RouteAccess =
  | { auth: 'public'; csrf?: false; permission?: undefined }
  | { auth: 'session'; permission?: undefined }
  | { permission: string; auth?: undefined };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: 'public' | 'session';
    permission?: string;
    /** Public state-changing routes (login, activation) check Origin instead of a CSRF token. */
    csrf?: false;
    /** Set by the app on routes of service modules. */
    service?: ServiceKey;
  }
}
