import type { FastifyInstance } from 'fastify';
import type { Db } from './db/schema.ts';
import { Notifier, type NotifyHandler } from './notify.ts';

/**
 * In-memory caches of the per-request reads that hardly ever change (a session, a user's memberships, an
 * establishment's services, charter and permission overrides, its member list), kept correct across instances by
 * PostgreSQL LISTEN/NOTIFY (platform/notify.ts): each cache listens to one topic, and a notification
 * `<topic>:<key>` drops that key (`<topic>:*` everything) on every instance.
 *
 * - No cache without notifications: while the LISTEN connection is down (or when the app was built without one),
 *   every read goes to the database, and whatever was cached before is dropped on reconnection.
 * - A load that overlaps an invalidation is returned but not kept (a generation counter): a read that started
 *   before a change committed can never stay cached after the change's notification.
 * - Concurrent misses on one key share one load (the 8 a.m. portal of one school is read once, not 500 times).
 * - Bounded: at most `max` entries (the oldest go first), each kept at most `ttlMs` — a safety net only.
 * - Reads inside a transaction use the transaction's handle, which has no cache: they always see the database.
 */
export interface CacheSpec<V> {
  name: string;
  /** The notification topic that invalidates it; keys are the notification's keys. */
  topic: string;
  max: number;
  ttlMs: number;
  /**
   * When an entry stops being true by itself (ms since the epoch, before `ttlMs`), e.g. a grade whose publication
   * time comes: from then on it is a miss. Undefined or null: only `ttlMs`.
   */
  expiresAt?: (value: V) => number | null | undefined;
  /** Type carrier only. */
  readonly _value?: V;
}

export const defineCache = <V>(spec: Omit<CacheSpec<V>, '_value'>): CacheSpec<V> => spec;

/** An entry's tags, or how to read them from its value once loaded. */
export type Tags<V> = readonly string[] | ((value: V) => readonly string[]);

interface Entry<V> {
  value: V;
  expires: number;
  tags: readonly string[] | undefined;
}

export class Cache<V> {
  hits = 0;
  misses = 0;
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();
  /** tag → the keys of the entries that depend on it (a notification of the tag drops them all). */
  private readonly tagged = new Map<string, Set<string>>();
  private generation = 0;

  readonly spec: CacheSpec<V>;

  constructor(spec: CacheSpec<V>) {
    this.spec = spec;
  }

  get size(): number {
    return this.entries.size;
  }

  peek(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= Date.now()) {
      this.remove(key);
      return undefined;
    }
    return e.value;
  }

  /**
   * The cached value, or `load()`'s (kept unless it is `undefined` or an invalidation overlapped the load).
   * `tags`: other notification keys this entry depends on — a notification of the key or of any tag drops it
   * (e.g. a class's week page tagged with the class and its groups); a function gives them from the loaded value.
   */
  get(key: string, load: () => Promise<V>, tags?: Tags<V>): Promise<V> {
    const hit = this.peek(key);
    if (hit !== undefined) {
      this.hits++;
      return Promise.resolve(hit);
    }
    const pending = this.loading.get(key);
    if (pending) return pending;
    this.misses++;
    const generation = this.generation;
    const p = load().then(
      (value) => {
        if (this.loading.get(key) === p) this.loading.delete(key);
        if (value !== undefined && generation === this.generation)
          this.set(key, value, typeof tags === 'function' ? tags(value) : tags);
        return value;
      },
      (e: unknown) => {
        if (this.loading.get(key) === p) this.loading.delete(key);
        throw e;
      },
    );
    this.loading.set(key, p);
    return p;
  }

  /**
   * The values of several keys: those in memory, the others from one `loadMany` (kept unless an invalidation
   * overlapped it). A key `loadMany` does not answer is absent from the result (and not kept).
   */
  async getMany(
    keys: readonly string[],
    loadMany: (missing: string[]) => Promise<Map<string, V>>,
  ): Promise<Map<string, V>> {
    const out = new Map<string, V>();
    const missing: string[] = [];
    for (const k of keys) {
      const v = this.peek(k);
      if (v === undefined) missing.push(k);
      else out.set(k, v);
    }
    this.hits += keys.length - missing.length;
    if (missing.length === 0) return out;
    this.misses += missing.length;
    const generation = this.generation;
    const loaded = await loadMany(missing);
    for (const [k, v] of loaded) {
      out.set(k, v);
      if (generation === this.generation) this.set(k, v);
    }
    return out;
  }

  /**
   * Values of several keys loaded by another read (a login's own statement reads what the first screen will ask):
   * call it before that read is sent; once it answers, each key not in memory is kept unless an invalidation
   * overlapped the read, as `getMany` would.
   */
  keepLoaded(loaded: Promise<Map<string, V>>): void {
    const generation = this.generation;
    loaded.then(
      (values) => {
        if (generation !== this.generation) return;
        for (const [k, v] of values) if (v !== undefined && this.peek(k) === undefined) this.set(k, v);
      },
      () => {}, // the read's own caller answers for its failure
    );
  }

  /** Put a value known to be current (e.g. the session a login has just written). */
  set(key: string, value: V, tags?: readonly string[]): void {
    this.remove(key);
    const until = this.spec.expiresAt?.(value);
    const expires = Math.min(Date.now() + this.spec.ttlMs, until ?? Number.POSITIVE_INFINITY);
    this.entries.set(key, { value, expires, tags });
    for (const t of tags ?? []) {
      const keys = this.tagged.get(t);
      if (keys) keys.add(key);
      else this.tagged.set(t, new Set([key]));
    }
    if (this.entries.size > this.spec.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
  }

  /** Drop the entry `key` and every entry tagged `key`. */
  delete(key: string): void {
    this.generation++;
    this.remove(key);
    this.loading.delete(key);
    const keys = this.tagged.get(key);
    if (keys) for (const k of [...keys]) this.remove(k);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.tagged.clear();
    this.loading.clear();
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    for (const t of e.tags ?? []) {
      const keys = this.tagged.get(t);
      keys?.delete(key);
      if (keys?.size === 0) this.tagged.delete(t);
    }
  }
}

/** The caches of one app (one database), routed by notification topic. */
export class Caches implements NotifyHandler {
  private readonly byName = new Map<string, Cache<unknown>>();
  private readonly byTopic = new Map<string, Cache<unknown>[]>();

  readonly notifier: Notifier;

  constructor(notifier: Notifier) {
    this.notifier = notifier;
    notifier.subscribe(this);
  }

  get enabled(): boolean {
    return this.notifier.connected;
  }

  of<V>(spec: CacheSpec<V>): Cache<V> {
    let c = this.byName.get(spec.name);
    if (!c) {
      c = new Cache(spec as CacheSpec<unknown>);
      this.byName.set(spec.name, c);
      const list = this.byTopic.get(spec.topic) ?? [];
      list.push(c);
      this.byTopic.set(spec.topic, list);
    }
    return c as Cache<V>;
  }

  message(topic: string, key: string): void {
    const list = this.byTopic.get(topic);
    if (!list) return;
    for (const c of list) {
      if (key === '*') c.clear();
      else c.delete(key);
    }
  }

  reset(): void {
    for (const c of this.byName.values()) c.clear();
  }

  /** Each cache used so far on this instance: its entries now, its bound, its topic, hits and misses since start. */
  stats(): Record<string, { size: number; max: number; topic: string; hits: number; misses: number }> {
    return Object.fromEntries(
      [...this.byName].map(([n, c]) => [
        n,
        { size: c.size, max: c.spec.max, topic: c.spec.topic, hits: c.hits, misses: c.misses },
      ]),
    );
  }
}

const registries = new WeakMap<object, Caches>();

/** Attach an app's caches to its database handle (a transaction's handle has none: it always reads the database). */
export function attachCaches(db: object, caches: Caches): void {
  registries.set(db, caches);
}

export function cachesOf(db: object): Caches | undefined {
  return registries.get(db);
}

/** The cache for `spec` on this database handle, or null when caching is off (no notifications, a transaction). */
export function cacheOf<V>(db: object, spec: CacheSpec<V>): Cache<V> | null {
  const r = registries.get(db);
  return r?.enabled ? r.of(spec) : null;
}

/** Read through the cache when there is one, else straight from `load`. */
export function cached<V>(
  db: object,
  spec: CacheSpec<V>,
  key: string,
  load: () => Promise<V>,
  tags?: Tags<V>,
): Promise<V> {
  const c = cacheOf(db, spec);
  return c ? c.get(key, load, tags) : load();
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Start an app's caches: the LISTEN connection, the registry on its database handle, and the barrier that gives
 * read-your-writes on one instance — after a request that may have written (`after-writes`, production), or
 * before every request (`each-request`, tests: they also write straight into the database between requests).
 * Another instance sees a change once the notification reaches it, typically within a millisecond.
 */
export async function installCaches(
  app: FastifyInstance,
  opts: { db: Db; listenUrl: string; barrier: 'after-writes' | 'each-request' },
): Promise<Caches> {
  const notifier = new Notifier(opts.listenUrl, app.log);
  const caches = new Caches(notifier);
  attachCaches(opts.db, caches);
  await notifier.start();
  await notifier.verify(opts.db);
  app.addHook('onClose', async () => notifier.stop());
  if (opts.barrier === 'each-request') {
    app.addHook('onRequest', async () => notifier.barrier(opts.db));
  } else {
    app.addHook('onSend', async (req, reply, payload) => {
      if (UNSAFE.has(req.method) && reply.statusCode < 400 && req.routeOptions.config.cacheBarrier !== false)
        await notifier.barrier(opts.db);
      return payload;
    });
  }
  return caches;
}

/**
 * Inside a request that has just written and now reads through a cache (e.g. PATCH /api/me answering with the
 * new /api/me): wait until the write's notifications have reached this instance. Nothing to wait for without caches.
 */
export async function caughtUp(db: Db): Promise<void> {
  const r = registries.get(db);
  if (r?.enabled) await r.notifier.barrier(db);
}
