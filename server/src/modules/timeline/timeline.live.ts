import type { UnreadEvent } from '@preau/contracts';
import type { Db } from '../../platform/db/schema.ts';
import { listenLive, notifications } from './timeline.repository.ts';

type Send = (e: UnreadEvent) => void;

interface Logger {
  warn(o: object, m: string): void;
}

/**
 * The live unread counters of one server instance. Each open stream (`GET /api/timeline/stream`) subscribes its
 * user; the instance LISTENs on the timeline's channel, where `notify`, read marks and withdrawals announce
 * themselves (`pg_notify` in their transaction, so only committed changes are heard, by every instance). Events
 * arriving together are handled together: one query finds which connected people a batch of notifications
 * reached, one more counts their unread notifications by kind.
 */
export class LiveHub {
  private readonly subscribers = new Map<string, Set<Send>>();
  private readonly streams = new Set<() => void>();
  private listener: ReturnType<typeof listenLive> | null = null;
  private pendingNotifications = new Set<string>();
  private pendingUsers = new Set<string>();
  private pendingAll = false;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private readonly db: Db;
  private readonly url: string | null;
  private readonly log: Logger;

  constructor(db: Db, url: string | null, log: Logger) {
    this.db = db;
    this.url = url;
    this.log = log;
  }

  /** Subscribes a stream; resolves once it will hear every later change (its first event is sent then). */
  async subscribe(userId: string, send: Send): Promise<() => void> {
    await this.start();
    const set = this.subscribers.get(userId) ?? new Set<Send>();
    set.add(send);
    this.subscribers.set(userId, set);
    const counts = await this.counts([userId]);
    send(counts.get(userId) ?? { unread: 0, kinds: {} });
    return () => {
      set.delete(send);
      if (set.size === 0) this.subscribers.delete(userId);
    };
  }

  /** Connected streams (for tests and health). */
  get size(): number {
    let n = 0;
    for (const s of this.subscribers.values()) n += s.size;
    return n;
  }

  /** An open stream's way to end it, called when the server stops. */
  track(finish: () => void): void {
    this.streams.add(finish);
  }

  untrack(finish: () => void): void {
    this.streams.delete(finish);
  }

  /** Ends every open stream (the server is stopping: a stream would keep it waiting). */
  closeStreams(): void {
    for (const finish of [...this.streams]) finish();
  }

  private async start(): Promise<void> {
    if (!this.listener) {
      if (!this.url) throw new Error('The live counter needs the database URL to LISTEN');
      this.listener = listenLive(this.url, {
        payload: (p) => this.heard(p),
        // (Re)connected: anything announced meanwhile was missed, so everyone connected is counted again.
        reset: () => this.heard('*'),
        lost: (e) => this.log.warn({ err: e }, 'live counter: LISTEN connection lost, reconnecting'),
      });
    }
    await this.listener.ready;
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.listener?.stop();
    this.listener = null;
    await this.running;
  }

  private heard(payload: string): void {
    if (this.subscribers.size === 0) return;
    if (payload === '*') this.pendingAll = true;
    else if (payload.startsWith('n:')) this.pendingNotifications.add(payload.slice(2));
    else if (payload.startsWith('u:')) this.pendingUsers.add(payload.slice(2));
    else return;
    // A short batch: a burst of notices (a class's parents, one by one) costs two queries, not two per notice.
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.running = this.running.then(() => this.flush()).catch((e) => this.log.warn({ err: e }, 'live counter'));
    }, 25);
  }

  private async flush(): Promise<void> {
    const connected = [...this.subscribers.keys()];
    const all = this.pendingAll;
    const nids = [...this.pendingNotifications];
    const users = new Set([...this.pendingUsers].filter((u) => this.subscribers.has(u)));
    this.pendingAll = false;
    this.pendingNotifications.clear();
    this.pendingUsers.clear();
    if (all) for (const u of connected) users.add(u);
    else if (nids.length > 0) {
      for (const u of await notifications.recipientsAmong(this.db, nids, connected)) users.add(u);
    }
    if (users.size === 0) return;
    const counts = await this.counts([...users]);
    for (const u of users) {
      const e = counts.get(u) ?? { unread: 0, kinds: {} };
      for (const send of this.subscribers.get(u) ?? []) send(e);
    }
  }

  private async counts(userIds: string[]): Promise<Map<string, UnreadEvent>> {
    const out = new Map<string, UnreadEvent>();
    for (const r of await notifications.unreadByKind(this.db, userIds)) {
      const e = out.get(r.user_id) ?? { unread: 0, kinds: {} };
      e.unread += r.n;
      e.kinds[r.kind] = r.n;
      out.set(r.user_id, e);
    }
    return out;
  }
}
