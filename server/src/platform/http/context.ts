// The cookie plugin's request and reply typings (the app registers it; every module's routes may set cookies).
import type {} from '@fastify/cookie';
import type { EstablishmentProfile, ServiceKey } from '@preau/contracts';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { Lang } from '../i18n.ts';
import type { BlobStorage } from '../storage/index.ts';
import type { UsageRecorder } from '../usage.ts';

export interface MembershipInfo {
  establishmentId: string;
  profiles: EstablishmentProfile[];
  functions: string[];
}

export interface AuthUser {
  id: string;
  login: string;
  displayName: string;
  platformAdmin: boolean;
  sessionId: string;
  csrfToken: string;
  memberships: MembershipInfo[];
}

/** What a use case receives: explicit dependencies, no god object. */
export interface RequestContext {
  db: Kysely<Database>;
  config: Config;
  user: AuthUser | null;
  lang: Lang;
  ip: string;
  userAgent: string | null;
  usage: UsageRecorder;
  /** File bytes (documents): local disk or S3-compatible, as configured. */
  storage: BlobStorage;
  log: FastifyBaseLogger;
  /** The services gate, given by the app (the services module implements it; the platform only calls it). */
  services: ServiceGate;
}

export interface ServiceGate {
  /** 404 if not a member, 403 CHARTER_NOT_ACCEPTED, 403 SERVICE_CLOSED unless open to one of their profiles. */
  requireOpen(ctx: RequestContext, key: ServiceKey, establishmentId: string): Promise<void>;
}

/** A context whose user is known (the route required a session). */
export type AuthedContext = RequestContext & { user: AuthUser };

declare module 'fastify' {
  interface FastifyRequest {
    /** Built by the app for every request (onRequest); use cases receive it. */
    ctx: RequestContext;
  }
}
