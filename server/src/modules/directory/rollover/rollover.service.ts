import type { RolloverPreview, SchoolYear } from '@preau/contracts';
import { requireEstablishmentPermission } from '../../../platform/access/access.ts';
import { audit } from '../../../platform/audit.ts';
import type { Db } from '../../../platform/db/schema.ts';
import { AppError, notFound } from '../../../platform/errors.ts';
import type { RequestContext } from '../../../platform/http/context.ts';
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

async function preview(db: Db, establishmentId: string, current: YearRow): Promise<RolloverPreview> {
  const [contents, byProfile] = await Promise.all([
    schoolYears.contents(db, establishmentId, current.id),
    schoolYears.membersByProfile(db, establishmentId),
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
  };
}

export async function previewRollover(ctx: RequestContext, establishmentId: string) {
  await requireEstablishmentPermission(ctx, 'school_years.manage', establishmentId);
  const current = await schoolYears.current(ctx.db, establishmentId);
  if (!current) throw notFound();
  return preview(ctx.db, establishmentId, current);
}

/**
 * Close the current year and open the next. The closed year's classes, groups, enrolments and teaching
 * assignments stay attached to it, read-only; accounts, memberships, guardianships and documents are
 * untouched, so nobody loses anything. The next import fills the new year from scratch.
 */
export async function runRollover(ctx: RequestContext, establishmentId: string, from: string) {
  await requireEstablishmentPermission(ctx, 'school_years.manage', establishmentId);
  const result = await ctx.db.transaction().execute(async (trx) => {
    const current = await schoolYears.lockCurrent(trx, establishmentId);
    if (!current) throw notFound();
    if (current.label !== from) {
      throw new AppError(409, 'SCHOOL_YEAR_CHANGED', { vars: { current: current.label } });
    }
    const summary = await preview(trx, establishmentId, current);
    await schoolYears.archive(trx, current.id);
    const next = await schoolYears.openNext(trx, establishmentId, summary.to);
    await audit(trx, ctx, {
      action: 'directory.school_year.rollover',
      establishmentId,
      targetType: 'school_year',
      targetId: next.id,
      details: { from: current.label, to: summary.to.label, archived: summary.archived },
    });
    return summary;
  });
  recordUsage(ctx, establishmentId, 'directory', 'rollover.run');
  return result;
}
