import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from './db/schema.ts';

/**
 * PostgreSQL LISTEN/NOTIFY between the instances of one database: one dedicated connection per instance listens
 * on `preau_cache`, where the database's own triggers (migration 0040) announce every change a cache depends on as
 * `<topic>:<key>` (`u:<user id>`, `svc:<establishment id>`, `s:<session token hash>`, `<topic>:*` for "all").
 * Triggers fire whoever writes — any instance, the import CLI, an operator's psql — so no write path can forget
 * to invalidate. Notifications are delivered after the writing transaction commits, in commit order.
 *
 * Needs a direct connection (not PgBouncer in transaction mode): `DATABASE_LISTEN_URL`, docs/OPERATIONS.md.
 */
export const CACHE_CHANNEL = 'preau_cache';

export interface NotifyHandler {
  /** A change announced by a trigger (or by `publish`). `key` is `*` for "everything of this topic". */
  message(topic: string, key: string): void;
  /** The connection was lost or (re)made: anything learnt before may have missed changes. */
  reset(): void;
}

interface Logger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

const BARRIER_TIMEOUT_MS = 2_000;

export class Notifier {
  /** Whether notifications are flowing now: caches are bypassed while it is false. */
  connected = false;
  private client: pg.Client | null = null;
  private readonly handlers = new Set<NotifyHandler>();
  private readonly waiters = new Map<string, () => void>();
  private readonly instance = randomBytes(6).toString('hex');
  private seq = 0;
  private stopped = false;
  private retryMs = 250;
  private retryTimer: NodeJS.Timeout | null = null;

  private readonly url: string;
  private readonly log: Logger;

  constructor(url: string, log: Logger) {
    this.url = url;
    this.log = log;
  }

  subscribe(handler: NotifyHandler): void {
    this.handlers.add(handler);
  }

  /** Connects (or keeps retrying in the background: the instance serves without caches meanwhile). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, application_name: 'preau-listen', keepAlive: true });
    let failed = false;
    const lost = (e?: unknown) => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = null;
      const wasConnected = this.connected;
      this.connected = false;
      this.resetAll();
      client.end().catch(() => {});
      if (this.stopped) return;
      if (wasConnected) this.log.warn({ err: e }, 'cache notifications lost: caches off until reconnected');
      this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
      this.retryTimer.unref();
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (n) => this.dispatch(n.payload ?? ''));
    try {
      await client.connect();
      await client.query(`LISTEN ${CACHE_CHANNEL}`);
    } catch (e) {
      lost(e);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.retryMs = 250;
    // Whatever was cached before this connection may have missed a change: start from nothing.
    this.resetAll();
    this.connected = true;
  }

  private resetAll(): void {
    for (const h of this.handlers) h.reset();
    for (const release of this.waiters.values()) release();
    this.waiters.clear();
  }

  private dispatch(payload: string): void {
    const colon = payload.indexOf(':');
    if (colon < 0) return;
    const topic = payload.slice(0, colon);
    const key = payload.slice(colon + 1);
    if (topic === 'sync') {
      const release = this.waiters.get(key);
      if (release) {
        this.waiters.delete(key);
        release();
      }
      return;
    }
    for (const h of this.handlers) h.message(topic, key);
  }

  /**
   * Returns once every change committed before the call has reached this instance's handlers. It sends a marker
   * through the same channel: PostgreSQL delivers notifications in commit order, so when the marker comes back,
   * the notifications of earlier commits have been handled. One round trip; used after a request that wrote, so
   * that the same instance never answers the next request from a cache the write made stale.
   */
  async barrier(db: Db): Promise<void> {
    if (!this.connected) return;
    const token = `${this.instance}.${++this.seq}`;
    let timer: NodeJS.Timeout | undefined;
    const arrived = new Promise<void>((resolve) => {
      this.waiters.set(token, resolve);
      timer = setTimeout(() => {
        if (!this.waiters.has(token)) return;
        this.waiters.delete(token);
        // A marker that does not come back means notifications are not flowing: trust nothing cached.
        this.log.warn({}, 'cache barrier timed out: caches cleared');
        for (const h of this.handlers) h.reset();
        resolve();
      }, BARRIER_TIMEOUT_MS);
    });
    try {
      await sql`SELECT pg_notify(${CACHE_CHANNEL}, ${`sync:${token}`})`.execute(db);
      await arrived;
    } catch (e) {
      // The write this follows has succeeded: do not fail its answer, forget what is cached instead.
      this.log.warn({ err: e }, 'cache barrier failed: caches cleared');
      for (const h of this.handlers) h.reset();
    } finally {
      clearTimeout(timer);
      this.waiters.delete(token);
    }
  }

  /**
   * Do notifications sent through `db` reach this instance? Not behind PgBouncer in transaction mode, where the
   * LISTEN lands on a server connection the pooler then lends to others: caches are then turned off for good
   * (stale data is worse than slow data), with an error naming DATABASE_LISTEN_URL.
   */
  async verify(db: Db): Promise<boolean> {
    if (!this.connected) return false;
    const token = `${this.instance}.check`;
    const arrived = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(token);
        resolve(false);
      }, BARRIER_TIMEOUT_MS);
      this.waiters.set(token, () => {
        clearTimeout(timer);
        resolve(this.connected);
      });
      sql`SELECT pg_notify(${CACHE_CHANNEL}, ${`sync:${token}`})`.execute(db).catch(() => {
        clearTimeout(timer);
        this.waiters.delete(token);
        resolve(false);
      });
    });
    if (!arrived) {
      this.log.error(
        {},
        'cache notifications sent through DATABASE_URL do not reach the LISTEN connection (PgBouncer in transaction mode?): in-memory caches are off; set DATABASE_LISTEN_URL to a direct PostgreSQL connection',
      );
      await this.stop();
    }
    return arrived;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.connected = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.resetAll();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}
