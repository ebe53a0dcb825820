import type { Db } from '../../../platform/db/schema.ts';
import { quality } from '../quality/quality.repository.ts';
import { adoption, type RosterRow } from './adoption.repository.ts';

export type { RosterRow };

/** Members, activated and having accepted the charter, of a profile or a class. */
export interface Counts {
  total: number;
  activated: number;
  accepted: number;
}

/** Counts with their times (epoch ms, ascending): how many had activated or accepted before any instant. */
export interface TimedCounts extends Counts {
  activatedTimes: number[];
  acceptedTimes: number[];
}

/** The roster's figures (`adoption.figures`): per profile, every member once, and per class. */
export interface AdoptionFigures {
  byProfile: Map<string, TimedCounts>;
  /** Every member once, whatever their profiles (a person's earliest activation). */
  people: TimedCounts;
  /** Per current-year class id: its students, and the guardians of its students. */
  byClass: Map<string, { student?: Counts; guardian?: Counts }>;
}

/**
 * What the directory tells the rollout cockpit (exported by `directory/index.ts`). Callers have authorized the
 * reader for the establishment: these functions only read.
 */
export const directoryFacts = {
  roster: adoption.roster,

  /** The roster counted in PostgreSQL, the acceptances being those of the charter `charterId` (in force). */
  async figures(db: Db, establishmentId: string, charterId: string | null): Promise<AdoptionFigures> {
    const rows = await adoption.figures(db, establishmentId, charterId);
    const empty = (): TimedCounts => ({ total: 0, activated: 0, accepted: 0, activatedTimes: [], acceptedTimes: [] });
    const out: AdoptionFigures = { byProfile: new Map(), people: empty(), byClass: new Map() };
    for (const r of rows) {
      const counts = { total: r.total, activated: r.activated, accepted: r.accepted };
      if (r.class_id) {
        const c = out.byClass.get(r.class_id) ?? {};
        if (r.profile === 'student' || r.profile === 'guardian') c[r.profile] = counts;
        out.byClass.set(r.class_id, c);
        continue;
      }
      const timed = { ...counts, activatedTimes: r.activated_times ?? [], acceptedTimes: r.accepted_times ?? [] };
      if (r.profile === '*') out.people = timed;
      else out.byProfile.set(r.profile, timed);
    }
    return out;
  },
  classes: adoption.classes,
  activationCounts: adoption.activationCounts,
  staff: adoption.staff,
  subjectsTaught: adoption.subjectsTaught,
  guardians: adoption.guardians,

  async subjectLabels(db: Db, codes: string[]): Promise<Map<string, string>> {
    return new Map((await adoption.subjectLabels(db, codes)).map((s) => [s.code, s.label]));
  },

  async names(db: Db, ids: string[]): Promise<Map<string, string>> {
    return new Map((await adoption.names(db, ids)).map((u) => [u.id, u.display_name]));
  },

  /** The data-quality checks' counts on the live directory (activation is the cockpit's, not an anomaly). */
  async qualityCounts(db: Db, establishmentId: string) {
    const [c, viewedAt] = await Promise.all([
      quality.counts(db, establishmentId),
      adoption.qualityViewedAt(db, establishmentId),
    ]);
    return {
      viewedAt,
      checks: [
        { code: 'CLASS_WITHOUT_HEAD_TEACHER', severity: 'warning' as const, count: c.classesWithoutHeadTeacher },
        { code: 'CLASS_WITHOUT_TEACHER', severity: 'error' as const, count: c.classesWithoutTeacher },
        { code: 'STUDENT_WITHOUT_CLASS', severity: 'error' as const, count: c.studentsWithoutClass },
        { code: 'STUDENT_WITHOUT_LEGAL_GUARDIAN', severity: 'error' as const, count: c.studentsWithoutLegalGuardian },
        { code: 'GUARDIAN_WITHOUT_CONTACT', severity: 'warning' as const, count: c.guardiansWithoutContact },
        { code: 'TEACHER_WITHOUT_ASSIGNMENT', severity: 'warning' as const, count: c.teachersWithoutAssignment },
      ],
    };
  },

  async lastImport(db: Db, establishmentId: string) {
    const row = await adoption.lastImport(db, establishmentId);
    if (!row) return null;
    return {
      at: new Date(row.finished_at ?? row.created_at).toISOString(),
      status: row.status as string,
      anomalies: Number(row.anomalies),
    };
  },

  /** Login sheets printed: per class (by id) and profile, and for the whole establishment per profile. */
  async sheetsPrinted(db: Db, establishmentId: string) {
    const rows = await adoption.sheetsPrinted(db, establishmentId);
    return rows.map((r) => ({
      profile: r.profile,
      classId: r.target_type === 'class' ? r.target_id : null,
      wholeEstablishment: r.target_type === 'establishment',
      at: new Date(r.at).toISOString(),
    }));
  },
};
