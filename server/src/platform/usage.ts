import { type Kysely, sql } from 'kysely';
import type { Database } from './db/schema.ts';
import type { AuthUser, RequestContext } from './http/context.ts';

export interface UsageEvent {
  userId: string | null;
  establishmentId: string | null;
  profile: string | null;
  service: string;
  action: string;
}

/**
 * Usage events are the source of every adoption indicator. They are buffered in memory and written
 * in one multi-row insert off the request path (every second, or at 500 events), so a page view costs
 * no extra round-trip. A crash loses at most the last second of events: acceptable for indicators.
 */
export class UsageRecorder {
  private buffer: (UsageEvent & { at: Date })[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly db: Kysely<Database>;
  private readonly onError: (e: unknown) => void;

  constructor(db: Kysely<Database>, onError: (e: unknown) => void = () => {}) {
    this.db = db;
    this.onError = onError;
  }

  record(event: UsageEvent): void {
    this.buffer.push({ ...event, at: new Date() });
    if (this.buffer.length >= 500) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), 1000).unref();
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() =>
      this.db
        .insertInto('usage_event')
        .values(
          batch.map((e) => ({
            at: e.at,
            user_id: e.userId,
            establishment_id: e.establishmentId,
            profile: e.profile,
            service: e.service,
            action: e.action,
          })),
        )
        .execute()
        .then(
          () => undefined,
          (e) => this.onError(e),
        ),
    );
    return this.flushing;
  }
}

/** Most relevant first: an event is counted once, under the caller's highest profile in the establishment. */
const PROFILE_RANK = ['principal', 'local_admin', 'staff', 'teacher', 'guardian', 'student'] as const;

/**
 * The profile a usage event is counted under: the caller's most relevant profile in that establishment
 * (across all their memberships when the action is not about one), 'platform_admin' for a platform
 * admin who is not a member, null otherwise. Reads the session's memberships only: no query.
 */
export function usageProfile(user: AuthUser | null, establishmentId: string | null): string | null {
  if (!user) return null;
  const held = new Set<string>(
    user.memberships
      .filter((m) => establishmentId === null || m.establishmentId === establishmentId)
      .flatMap((m) => m.profiles),
  );
  const best = PROFILE_RANK.find((p) => held.has(p));
  if (best) return best;
  return user.platformAdmin ? 'platform_admin' : null;
}

/**
 * Events that happened at known times, written at once (the demo académie's history; a backfill). Never for a
 * live action: those go through `recordUsage`. Chunked multi-row inserts.
 */
export async function insertUsageEvents(db: Kysely<Database>, events: (UsageEvent & { at: Date })[]): Promise<void> {
  for (let i = 0; i < events.length; i += 20_000) {
    const chunk = events.slice(i, i + 20_000);
    await sql`
      INSERT INTO usage_event (at, user_id, establishment_id, profile, service, action)
      SELECT * FROM unnest(
        ${chunk.map((e) => e.at.toISOString())}::timestamptz[], ${chunk.map((e) => e.userId)}::uuid[],
        ${chunk.map((e) => e.establishmentId)}::uuid[], ${chunk.map((e) => e.profile)}::text[],
        ${chunk.map((e) => e.service)}::text[], ${chunk.map((e) => e.action)}::text[])`.execute(db);
  }
}

/** Record that the caller did `action` in `service` (call it once the action has succeeded). */
export function recordUsage(
  ctx: Pick<RequestContext, 'user' | 'usage'>,
  establishmentId: string | null,
  service: string,
  action: string,
): void {
  ctx.usage.record({
    userId: ctx.user?.id ?? null,
    establishmentId,
    profile: usageProfile(ctx.user, establishmentId),
    service,
    action,
  });
}

/**
 * Roll a day's events up into `usage_daily` (idempotent: re-running a day replaces its rows).
 * The day is a Paris calendar day: `date::timestamp AT TIME ZONE 'Europe/Paris'` is the instant of its
 * midnight in Paris (a bare `date AT TIME ZONE` would convert UTC midnight the other way round).
 */
export async function rollUpUsage(db: Kysely<Database>, day: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('usage_daily').where('day', '=', day).execute();
    const res = await sql`
      INSERT INTO usage_daily (day, establishment_id, profile, service, action, events, users)
      SELECT ${day}::date, establishment_id, COALESCE(profile, 'unknown'), service, action,
             count(*), count(DISTINCT user_id)
      FROM usage_event
      WHERE at >= (${day}::date::timestamp AT TIME ZONE 'Europe/Paris')
        AND at < ((${day}::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')
        AND establishment_id IS NOT NULL
      GROUP BY establishment_id, COALESCE(profile, 'unknown'), service, action`.execute(trx);
    return Number(res.numAffectedRows ?? 0);
  });
}

/** Usage events are kept 13 months; the daily roll-up (no person in it) stays for the indicators' history. */
export async function purgeUsageEvents(db: Kysely<Database>, now = new Date()): Promise<number> {
  const cutoff = new Date(now);
  cutoff.setMonth(cutoff.getMonth() - 13);
  const res = await db.deleteFrom('usage_event').where('at', '<', cutoff).executeTakeFirst();
  return Number(res.numDeletedRows);
}
