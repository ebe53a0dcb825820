import type { Db } from './db/schema.ts';
import type { RequestContext } from './http/context.ts';

export interface AuditEntry {
  action: string;
  establishmentId?: string | null;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  /** Defaults to the context's user; set for logins, where the actor is known only after the check. */
  actorId?: string | null;
}

/** Write an audit event inside the caller's transaction: the change and its trace commit together. */
export async function audit(db: Db, ctx: Pick<RequestContext, 'user' | 'ip'>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_event')
    .values({
      actor_id: entry.actorId !== undefined ? entry.actorId : (ctx.user?.id ?? null),
      establishment_id: entry.establishmentId ?? null,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      details: JSON.stringify(entry.details ?? {}),
      address: ctx.ip || null,
    })
    .execute();
}

/** Audit events are kept one year (the security log's retention, stated in the processing register). */
export async function purgeAudit(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now);
  cutoff.setFullYear(cutoff.getFullYear() - 1);
  const res = await db.deleteFrom('audit_event').where('at', '<', cutoff).executeTakeFirst();
  return Number(res.numDeletedRows);
}
