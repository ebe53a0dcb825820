import type { ApiDefinition, EstablishmentProfile, ServiceKey } from '@preau/contracts';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { PgBoss } from 'pg-boss';
import type { PermissionDefaults } from './access/permissions.ts';
import type { Config } from './config.ts';
import type { Database, Db } from './db/schema.ts';
import type { AuthedContext } from './http/context.ts';
import type { Lang } from './i18n.ts';
import type { JobContextFactory } from './jobs.ts';
import type { BlobStorage } from './storage/index.ts';

/** The Fastify instance every module plugin receives: zod schemas type the handlers. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** French and English wording of a module's problem codes (`detail` of problem+json). */
export type Messages<Code extends string = string> = Record<Code, Record<Lang, string>>;

/**
 * A kind of timeline notification a module posts (`logbook.homework.new`). The person chooses per kind: in the
 * ENT only, e-mail at once, or a daily digest; `defaultDelivery` applies until they do.
 */
export interface NotificationKind {
  kind: string;
  label: Record<Lang, string>;
  /** Who may receive it, for the preferences page (a guardian never sees the teachers' kinds). */
  profiles: readonly EstablishmentProfile[];
  defaultDelivery: 'app' | 'email' | 'digest';
}

/** The period an indicator is computed over: Paris calendar days, both inclusive. */
export interface IndicatorPeriod {
  from: string;
  to: string;
}

/**
 * An adoption indicator a module offers to the rollout cockpit, computed only from platform data (usage events,
 * the module's own rows) — never guessed. `value` is a share (0–1) for `rate`, a number otherwise.
 */
export interface IndicatorDefinition {
  key: string;
  label: Record<Lang, string>;
  unit: 'rate' | 'count';
  compute: (
    db: Db,
    establishmentId: string,
    period: IndicatorPeriod,
  ) => Promise<{ value: number; numerator?: number; denominator?: number }>;
}

/**
 * What personal data a module keeps, for whom and how long (RGPD art. 30): the processing register and the
 * per-person export are generated from these declarations.
 */
export interface PersonalDataDeclaration {
  /** A few words naming the processing; a service module defaults to its catalogue name. */
  title?: Record<Lang, string>;
  purpose: Record<Lang, string>;
  /** Legal basis: mostly the public-interest mission of the school (RGPD art. 6-1-e). */
  legalBasis: Record<Lang, string>;
  categories: { key: string; label: Record<Lang, string>; fields: string[] }[];
  /** Who sees the data, in plain words. */
  audience: Record<Lang, string>;
  retention: Record<Lang, string>;
  /** The person's own data held by the module, for the export of their data (right of access). */
  exportFor?: (db: Db, userId: string) => Promise<Record<string, unknown>>;
}

/** What a home-page widget of a service gets: the caller, in one establishment where the service is open. */
export interface HomeWidgetContext {
  ctx: AuthedContext;
  establishmentId: string;
  profiles: readonly EstablishmentProfile[];
}

/** The demo académie as the seed built it, for modules that add their own demo data. */
export interface DemoWorld {
  db: Kysely<Database>;
  config: Config;
  /** File storage, for modules whose demo has files. */
  storage: BlobStorage;
  /** The demo's fixed accounts by login (`prof.demo`, `eleve.demo`…) → user id. */
  accounts: Record<string, string>;
  establishments: { id: string; uai: string; name: string; schoolYearId: string }[];
  /** Deterministic random numbers in [0, 1): the same demo every time. */
  random: () => number;
}

export interface JobDeps {
  boss: PgBoss;
  db: Kysely<Database>;
  config: Config;
  /** File storage (the same the app serves from). */
  storage: BlobStorage;
  log: FastifyBaseLogger;
  /** A context for audit and usage events in jobs, built like a request's. */
  jobContext: JobContextFactory;
}

export interface ModuleDefinition {
  name: string;
  /** Key in the services catalogue: when set, every route of the module is gated by the service's opening. */
  service?: ServiceKey;
  prefix: string;
  /** The module's permissions and the profiles holding each by default. */
  permissions: PermissionDefaults;
  /** The typed endpoints the module serves (contracts); registered by its plugin with `registerEndpoints`. */
  api?: ApiDefinition;
  /** The tables the module owns: only its own code writes them (checked by test/boundaries.test.ts). */
  tables?: readonly (keyof Database)[];
  /** Its migrations, named `NNNN_<module>_<change>`; merged with every other module's in name order. */
  migrations?: Record<string, Migration>;
  /** Wording of its own problem codes. */
  messages?: Messages;
  /** Its background jobs (pg-boss queues, workers, schedules). */
  jobs?: (deps: JobDeps) => Promise<void>;
  notifications?: readonly NotificationKind[];
  indicators?: readonly IndicatorDefinition[];
  personalData?: PersonalDataDeclaration;
  /**
   * The objects of this module that hold document references (a message, a lesson), each with its audience
   * check: of these holder ids, those the person may read. The documents module serves an attached file only
   * to someone this check lets through (`holders: { message: (db, userId, ids) => … }`).
   */
  documentHolders?: Record<string, (db: Db, userId: string, holderIds: string[]) => Promise<Set<string>>>;
  /** Data for its home-page widget, joined to the one home request (`GET /api/home`). */
  home?: (w: HomeWidgetContext) => Promise<unknown>;
  /** Adds the module's data to the demo académie (run once, on an empty database, after the directory). */
  demo?: (world: DemoWorld) => Promise<void>;
  /** An encapsulated plugin (no fastify-plugin): it cannot leak decorators to other modules. */
  plugin: (app: App) => Promise<void>;
}

/**
 * Describes a module. With an `api` (its contract), the permissions must be exactly the contract's, each with its
 * default profiles, and `messages` must word every problem code the contract declares: both checked by types.
 */
export function defineModule<const A extends ApiDefinition = ApiDefinition>(
  m: Omit<ModuleDefinition, 'api' | 'permissions' | 'messages'> & {
    api?: A;
    permissions: Record<A['permissions'][number], readonly EstablishmentProfile[]>;
    messages?: Messages<A['errors'][number]>;
  },
): ModuleDefinition {
  return m as ModuleDefinition;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: 'public' | 'session';
    permission?: string;
    /** Public state-changing routes (login, activation) check Origin instead of a CSRF token. */
    csrf?: false;
    /**
     * A write that no cache depends on (the login: its session is put in this instance's cache directly, and its
     * other rows announce nothing, `accounts/login-path.test.ts`): no cache barrier after it (platform/cache.ts).
     */
    cacheBarrier?: false;
    /** Set by the app on routes of service modules. */
    service?: ServiceKey;
    /** Where the route names its establishment (typed endpoints); the service gate reads exactly that. */
    establishment?: import('@preau/contracts').EstablishmentSource;
  }
}
