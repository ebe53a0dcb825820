import type { EstablishmentProfile } from '@preau/contracts';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../db/schema.ts';
import type { Lang } from '../i18n.ts';
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
  log: FastifyBaseLogger;
}

/** A context whose user is known (the route required a session). */
export type AuthedContext = RequestContext & { user: AuthUser };
