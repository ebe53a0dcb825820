import {
  ROLLOVER_UNDO_DAYS,
  type RolloverItem,
  type RolloverPreview,
  type RolloverResult,
  type SchoolYear,
} from '@preau/contracts';
import { permissionsIn, requireEstablishmentPermission } from '../../../platform/access/access.ts';
import { audit } from '../../../platform/audit.ts';
import type { Db } from '../../../platform/db/schema.ts';
import { AppError, notFound } from '../../../platform/errors.ts';
import type { RequestContext } from '../../../platform/http/context.ts';
import { t } from '../../../platform/i18n.ts';
import { recordUsage } from '../../../platform/usage.ts';
import { schoolYears } from './rollover.repository.ts';

/**
 * Archived years stay read-only for this long after their end, then a purge may remove them. One year after
 * the end of the school year is the arrêté ENT's upper bound for school-life data; the académie's processing
 * register may set it differently.
 */
export const RETENTION_YEARS = 1;

type YearRow = Awaited<ReturnType<typeof schoolYears.list>>[number];

function presentYear(y: YearRow): SchoolYear {
  const end = new Date(`${y.ends_on}T00:00:00Z`);
  end.setUTCFullYear(end.getUTCFullYear() + RETENTION_YEARS);
  return {
    id: y.id,
    label: y.label,
    startsOn: y.starts_on,
    endsOn: y.ends_on,
    status: y.status,
    archivedAt: y.archived_at ? new Date(y.archived_at).toISOString() : null,
    retainedUntil: y.status === 'archived' ? end.toISOString().slice(0, 10) : null,
  };
}

/** `2026-2027` → `2027-2028`, 1 September to 31 August. */
export function nextYear(label: string) {
  const start = Number(label.slice(0, 4)) + 1;
  return { label: `${start}-${start + 1}`, startsOn: `${start}-09-01`, endsOn: `${start + 1}-08-31` };
}

export async function listSchoolYears(ctx: RequestContext, establishmentId: string) {
  await requireEstablishmentPermission(ctx, 'school_years.manage', establishmentId);
  return { items: (await schoolYears.list(ctx.db, establishmentId)).map(presentYear) };
}

/**
 * When the current year may be closed without an override: the establishment's `rolloverOpensOn` setting
 * (`MM-DD`), else the instance's (`ROLLOVER_OPENS_ON`, 1 July), in the calendar year the school year ends.
 */
async function windowOf(ctx: RequestContext, db: Db, establishmentId: string, current: YearRow) {
  const settings = (await schoolYears.settings(db, establishmentId)) as { rolloverOpensOn?: unknown };
  const monthDay =
    typeof settings.rolloverOpensOn === 'string' && /^\d{2}-\d{2}$/.test(settings.rolloverOpensOn)
      ? settings.rolloverOpensOn
      : ctx.config.rolloverOpensOn;
  const opensOn = `${current.ends_on.slice(0, 4)}-${monthDay}`;
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
  return { opensOn, open: today >= opensOn };
}

async function preview(
  ctx: RequestContext,
  db: Db,
  establishmentId: string,
  current: YearRow,
): Promise<RolloverPreview> {
  const [contents, byProfile, window] = await Promise.all([
    schoolYears.contents(db, establishmentId, current.id),
    schoolYears.membersByProfile(db, establishmentId),
    windowOf(ctx, db, establishmentId, current),
  ]);
  return {
    from: presentYear(current),
    to: nextYear(current.label),
    archived: {
      classes: contents.classes,
      groups: contents.groups,
      enrolments: contents.enrolments,
      teachingAssignments: contents.teaching_assignments,
      headTeachers: contents.head_teachers,
    },
    accountsKept: byProfile.reduce((n, p) => n + Number(p.count), 0),
    byProfile: byProfile.map((p) => ({ profile: p.profile, count: Number(p.count) })),
    window,
  };
}

export async function previewRollover(ctx: RequestContext, establishmentId: string) {
  await requireEstablishmentPermission(ctx, 'school_years.manage', establishmentId);
  const current = await schoolYears.current(ctx.db, establishmentId);
  if (!current) throw notFound();
  return preview(ctx, ctx.db, establishmentId, current);
}

/** `2027-07-01` → `1er juillet 2027` (`1 July 2027`). */
function longDate(ctx: RequestContext, isoDay: string) {
  const d = new Date(`${isoDay}T12:00:00Z`);
  const text = new Intl.DateTimeFormat(ctx.lang === 'en' ? 'en-GB' : 'fr-FR', {
    dateStyle: 'long',
    timeZone: 'Europe/Paris',
  }).format(d);
  return ctx.lang === 'fr' ? text.replace(/^1 /, '1er ') : text;
}

/**
 * Close the current year and open the next. The closed year's classes, groups, enrolments and teaching
 * assignments stay attached to it, read-only; accounts, memberships, guardianships and documents are
 * untouched, so nobody loses anything. The next import fills the new year from scratch.
 *
 * Before the year's end (the window, see `windowOf`) it is refused with 409 ROLLOVER_TOO_EARLY, unless the
 * caller typed the current year's label (`earlyConfirmation`; a wrong one is 400). The rollover is journaled
 * so that it can be undone within ROLLOVER_UNDO_DAYS while the new year is still empty.
 */
export async function runRollover(
  ctx: RequestContext,
  establishmentId: string,
  input: { from: string; earlyConfirmation?: string | undefined },
): Promise<RolloverResult> {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'school_years.manage', establishmentId);
  const result = await ctx.db.transaction().execute(async (trx) => {
    const current = await schoolYears.lockCurrent(trx, establishmentId);
    if (!current) throw notFound();
    if (current.label !== input.from) {
      throw new AppError(409, 'SCHOOL_YEAR_CHANGED', { vars: { current: current.label } });
    }
    const summary = await preview(ctx, trx, establishmentId, current);
    const early = !summary.window.open;
    if (early) {
      const vars = { date: longDate(ctx, summary.window.opensOn), label: current.label };
      if (input.earlyConfirmation === undefined) throw new AppError(409, 'ROLLOVER_TOO_EARLY', { vars });
      if (input.earlyConfirmation !== current.label) {
        throw new AppError(400, 'ROLLOVER_CONFIRMATION_MISMATCH', {
          vars,
          errors: [{ path: 'body.earlyConfirmation', message: t(ctx.lang, 'ROLLOVER_CONFIRMATION_MISMATCH', vars) }],
        });
      }
    }
    const existing = await schoolYears.byLabel(trx, establishmentId, summary.to.label);
    await schoolYears.archive(trx, current.id);
    const next = await schoolYears.openNext(trx, establishmentId, summary.to);
    const undoUntil = new Date(Date.now() + ROLLOVER_UNDO_DAYS * 86_400_000);
    const journal = await schoolYears.insertRollover(trx, {
      establishmentId,
      fromYearId: current.id,
      toYearId: next.id,
      toLabel: summary.to.label,
      toCreated: !existing,
      toStatusBefore: existing?.status ?? null,
      early,
      by: actor.id,
      undoUntil,
    });
    await audit(trx, ctx, {
      action: 'directory.school_year.rollover',
      establishmentId,
      targetType: 'school_year',
      targetId: next.id,
      details: {
        rolloverId: journal.id,
        from: current.label,
        to: summary.to.label,
        archived: summary.archived,
        early,
        ...(early ? { opensOn: summary.window.opensOn } : {}),
      },
    });
    return { ...summary, rollover: { id: journal.id, undoUntil: undoUntil.toISOString() } };
  });
  recordUsage(ctx, establishmentId, 'directory', 'rollover.run');
  return result;
}

/**
 * Undo a rollover within its delay, while the year it opened is still empty (no class, group, enrolment,
 * assignment: nothing imported into it yet) and no later rollover stands: the closed year is current again,
 * the opened one removed (or back to `next` if it was prepared before). Audited.
 */
export async function undoRollover(ctx: RequestContext, establishmentId: string, rolloverId: string) {
  const { user: actor } = await requireEstablishmentPermission(ctx, 'school_years.manage', establishmentId);
  const result = await ctx.db.transaction().execute(async (trx) => {
    const r = await schoolYears.rollover(trx, establishmentId, rolloverId);
    if (!r) throw notFound();
    if (r.undone_at) throw new AppError(409, 'ROLLOVER_ALREADY_UNDONE');
    if (new Date(r.undo_until) <= new Date()) throw new AppError(409, 'ROLLOVER_UNDO_EXPIRED');
    const current = await schoolYears.lockCurrent(trx, establishmentId);
    if (!current || current.id !== r.to_year_id || (await schoolYears.laterRollover(trx, establishmentId, r.id))) {
      throw new AppError(409, 'ROLLOVER_STATE_CHANGED');
    }
    const used = await schoolYears.contents(trx, establishmentId, current.id);
    if (Object.values(used).some((n) => n > 0)) {
      throw new AppError(409, 'ROLLOVER_YEAR_IN_USE', { vars: { label: current.label } });
    }
    if (r.to_created) await schoolYears.removeYear(trx, current.id);
    else await schoolYears.setStatus(trx, current.id, (r.to_status_before as 'next' | 'archived' | null) ?? 'next');
    await schoolYears.setStatus(trx, r.from_year_id, 'current');
    const done = await schoolYears.markUndone(trx, r.id, actor.id);
    await audit(trx, ctx, {
      action: 'directory.school_year.rollover.undo',
      establishmentId,
      targetType: 'school_year',
      targetId: r.from_year_id,
      details: { rolloverId: r.id, to: r.to_label, removed: r.to_created },
    });
    return { id: r.id, undoneAt: new Date(done.undone_at!).toISOString() };
  });
  recordUsage(ctx, establishmentId, 'directory', 'rollover.undo');
  return result;
}

export async function listRollovers(ctx: RequestContext, establishmentId: string): Promise<{ items: RolloverItem[] }> {
  const { user } = await requireEstablishmentPermission(ctx, 'school_years.manage', establishmentId);
  const manage = (await permissionsIn(ctx.db, user, establishmentId, ['school_years.manage'])).length > 0;
  const rows = await schoolYears.rollovers(ctx.db, establishmentId, 100);
  const now = Date.now();
  // Only the latest standing rollover can be undone (and the server checks the new year is still empty).
  const latest = rows.find((r) => !r.undone_at)?.id;
  return {
    items: rows.map((r) => ({
      id: r.id,
      from: r.from_label,
      to: r.to_label,
      early: r.early,
      rolledAt: new Date(r.rolled_at).toISOString(),
      rolledBy: r.rolled_by,
      undoUntil: new Date(r.undo_until).toISOString(),
      undoneAt: r.undone_at ? new Date(r.undone_at).toISOString() : null,
      can: { undo: manage && r.id === latest && new Date(r.undo_until).getTime() > now },
    })),
  };
}
