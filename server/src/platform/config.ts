import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export type StorageConfig =
  | { driver: 'local'; root: string }
  | {
      driver: 's3';
      endpoint: string | null;
      region: string;
      bucket: string;
      accessKeyId: string | null;
      secretAccessKey: string | null;
      /** `https://host/bucket/key` instead of `https://bucket.host/key` (MinIO, Garage, Ceph…). */
      forcePathStyle: boolean;
      /** Prefix of every key, so one bucket can serve several platforms (`preau/`). */
      prefix: string;
    };

function storageConfig(env: NodeJS.ProcessEnv, dataDir: string): StorageConfig {
  const driver = env.STORAGE_DRIVER || 'local';
  if (driver === 'local')
    return { driver, root: env.STORAGE_DIR ? resolve(env.STORAGE_DIR) : resolve(dataDir, 'files') };
  if (driver !== 's3') throw new Error(`STORAGE_DRIVER must be local or s3: ${driver}`);
  if (!env.S3_BUCKET) throw new Error('STORAGE_DRIVER=s3 needs S3_BUCKET');
  return {
    driver,
    endpoint: env.S3_ENDPOINT || null,
    region: env.S3_REGION || 'us-east-1',
    bucket: env.S3_BUCKET,
    accessKeyId: env.S3_ACCESS_KEY_ID || null,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY || null,
    forcePathStyle: bool(env.S3_FORCE_PATH_STYLE, !!env.S3_ENDPOINT),
    prefix: env.S3_PREFIX ?? '',
  };
}

/** Every setting comes from the environment; the README lists them. */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  /** DATA_DIR was set: the folder is kept even when the embedded PostgreSQL cannot reach it (see db/data-dir.ts). */
  dataDirExplicit: boolean;
  /** Where file bytes go (documents): local disk under DATA_DIR by default, or an S3-compatible bucket. */
  storage: StorageConfig;
  /** The largest file one upload may carry, in bytes (DOCUMENTS_MAX_FILE_MB). */
  maxFileBytes: number;
  demo: boolean;
  production: boolean;
  /** `Secure` + `__Host-` cookies. On by default in production. */
  secureCookies: boolean;
  /**
   * The address users type (`https://ent.example.fr`): the only `Origin` accepted on login and activation in
   * production, and the address printed on login sheets. Required in production.
   */
  publicOrigin: string | null;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  rememberMeDays: number;
  studentPasswordMinLength: number;
  adultPasswordMinLength: number;
  activationCodeDays: number;
  /** `MM-DD`: from this day of the year a school year ends, it may be closed without an override (1 July). */
  rolloverOpensOn: string;
  logLevel: string;
  jobs: boolean;
  /** Heap of the thread that runs an import job (MB): an import that needs more fails cleanly, the server lives on. */
  importMemoryMb: number;
  /**
   * People per group of establishments when a big AAF full export (an académie) is imported in groups, its memory
   * bounded by a group (directory/import/partition.ts); 0 imports everything in one piece.
   */
  importGroupPeople: number;
  /** Fastify trustProxy: false, a hop count or a list of proxy addresses. Never `true` (any client could fake its address). */
  trustProxy: boolean | number | string[];
  webDist: string | null;
  /** Check every response against its zod schema before writing it (tests; costly on the hot path). */
  validateResponses: boolean;
  /** In-memory caches kept correct by LISTEN/NOTIFY (platform/cache.ts); off only to compare or troubleshoot. */
  caches: boolean;
  /** Where the instance LISTENs (cache invalidations): a direct PostgreSQL connection; default DATABASE_URL's. */
  databaseListenUrl: string | null;
  /** Named prepared statements (platform/db/database.ts); off behind PgBouncer < 1.21 in transaction mode. */
  databasePrepare: boolean;
  /** Password hashes and verifications running at once (argon2; default: cores − 1, at least 1). */
  argon2Concurrency: number;
  /** How long a login (activation, password change) may wait for its turn before 503 SERVER_BUSY. */
  loginQueueBudgetMs: number;
  /** Logins waiting at most; more are refused at once with 503. */
  loginQueueMax: number;
  /** When an instance waits for the cache notifications to catch up: after its own writes, or before every request (tests). */
  cacheBarrier: 'after-writes' | 'each-request';
  /**
   * Outgoing mail server (`smtp://user:password@host:587`, `smtps://…:465`). Without it, mails are kept in the
   * database and shown on the platform administrators' local outbox page (development, demos).
   */
  smtpUrl: string | null;
  /** The sender of every mail Préau sends (`Préau <ne-pas-repondre@ent.example.fr>`). */
  mailFrom: string;
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number.parseInt(value, 10);
  if (!Number.isFinite(n)) throw new Error(`Invalid integer setting: ${value}`);
  return n;
}

function monthDay(value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  const m = /^(\d{2})-(\d{2})$/.exec(value);
  const valid = m && Number(m[1]) >= 1 && Number(m[1]) <= 12 && Number(m[2]) >= 1 && Number(m[2]) <= 31;
  if (!valid) throw new Error(`Invalid month-day setting (MM-DD expected): ${value}`);
  return value;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

/** `https://ent.example.fr` as browsers send it in `Origin`: scheme, host and port only. */
function origin(value: string | undefined, production: boolean): string | null {
  if (!value) {
    if (production) {
      throw new Error(
        'PUBLIC_ORIGIN is required in production: the address users type, e.g. PUBLIC_ORIGIN=https://ent.example.fr',
      );
    }
    return null;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`PUBLIC_ORIGIN is not a URL: ${value}`);
  }
  if (url.origin !== value.replace(/\/$/, '') || !/^https?:$/.test(url.protocol)) {
    throw new Error(`PUBLIC_ORIGIN must be an origin (scheme, host and port, no path): ${value} → ${url.origin}`);
  }
  return url.origin;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const databaseUrl = env.DATABASE_URL || null;
  const publicOrigin = origin(env.PUBLIC_ORIGIN, production);
  // Default: ./data at the repository root, whichever workspace npm runs from.
  const dataDir = env.DATA_DIR ? resolve(env.DATA_DIR) : resolve(import.meta.dirname, '../../../data');
  return {
    port: int(env.PORT, 3000),
    host: env.HOST || (production ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl,
    dataDir,
    dataDirExplicit: !!env.DATA_DIR,
    storage: storageConfig(env, dataDir),
    maxFileBytes: int(env.DOCUMENTS_MAX_FILE_MB, 1024) * 1024 * 1024,
    demo: bool(env.PREAU_DEMO, databaseUrl === null),
    production,
    secureCookies: bool(env.SECURE_COOKIES, production || (publicOrigin?.startsWith('https://') ?? false)),
    publicOrigin,
    sessionIdleMinutes: int(env.SESSION_IDLE_MINUTES, 120),
    sessionAbsoluteHours: int(env.SESSION_ABSOLUTE_HOURS, 12),
    rememberMeDays: int(env.REMEMBER_ME_DAYS, 30),
    studentPasswordMinLength: int(env.STUDENT_PASSWORD_MIN_LENGTH, 8),
    adultPasswordMinLength: Math.max(12, int(env.ADULT_PASSWORD_MIN_LENGTH, 12)),
    activationCodeDays: int(env.ACTIVATION_CODE_DAYS, 90),
    rolloverOpensOn: monthDay(env.ROLLOVER_OPENS_ON, '07-01'),
    logLevel: env.LOG_LEVEL || 'info',
    jobs: bool(env.PREAU_JOBS, true),
    importMemoryMb: Math.max(128, int(env.IMPORT_MEMORY_MB, 768)),
    importGroupPeople: Math.max(0, int(env.IMPORT_GROUP_PEOPLE, 20_000)),
    trustProxy: !env.TRUST_PROXY
      ? false
      : /^[0-9]+$/.test(env.TRUST_PROXY)
        ? Number(env.TRUST_PROXY)
        : env.TRUST_PROXY.split(',').map((s) => s.trim()),
    webDist: env.WEB_DIST === undefined ? resolve(import.meta.dirname, '../../../web/dist') : env.WEB_DIST || null,
    validateResponses: bool(env.PREAU_VALIDATE_RESPONSES, false),
    caches: bool(env.PREAU_CACHE, true),
    databasePrepare: bool(env.DATABASE_PREPARE, true),
    databaseListenUrl: env.DATABASE_LISTEN_URL || null,
    argon2Concurrency: Math.max(1, int(env.ARGON2_CONCURRENCY, Math.max(1, availableParallelism() - 1))),
    loginQueueBudgetMs: Math.max(100, int(env.LOGIN_QUEUE_BUDGET_MS, 8_000)),
    loginQueueMax: Math.max(1, int(env.LOGIN_QUEUE_MAX, 5_000)),
    cacheBarrier: 'after-writes',
    smtpUrl: env.SMTP_URL || null,
    mailFrom: env.MAIL_FROM || `Préau <ne-pas-repondre@${publicOrigin ? new URL(publicOrigin).hostname : 'localhost'}>`,
  };
}

/**
 * The same settings with another data folder (the one chosen when the default cannot be reached, see
 * db/data-dir.ts): local file storage left at its default (`<data folder>/files`) follows it.
 */
export function withDataDir(config: Config, dataDir: string): Config {
  if (dataDir === config.dataDir) return config;
  const storage =
    config.storage.driver === 'local' && config.storage.root === resolve(config.dataDir, 'files')
      ? { ...config.storage, root: resolve(dataDir, 'files') }
      : config.storage;
  return { ...config, dataDir, storage };
}

/** Settings for tests: quiet, no jobs, short everything; files in the system's temporary folder. */
export function testConfig(databaseUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({}),
    databaseUrl,
    demo: false,
    logLevel: 'silent',
    jobs: false,
    webDist: null,
    validateResponses: true,
    cacheBarrier: 'each-request',
    storage: { driver: 'local', root: join(tmpdir(), 'preau-test-files') },
    ...overrides,
  };
}
