import type { Db } from '../../../platform/db/schema.ts';
import { quality } from '../quality/quality.repository.ts';
import { adoption, type RosterRow } from './adoption.repository.ts';

export type { RosterRow };

/**
 * What the directory tells the rollout cockpit (exported by `directory/index.ts`). Callers have authorized the
 * reader for the establishment: these functions only read.
 */
export const directoryFacts = {
  roster: adoption.roster,
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
    const [noHead, noTeacher, noClass, noGuardian, noContact, unassigned, viewedAt] = await Promise.all([
      quality.classesWithoutHeadTeacher(db, establishmentId, 0),
      quality.classesWithoutTeacher(db, establishmentId, 0),
      quality.studentsWithoutClass(db, establishmentId, 0),
      quality.studentsWithoutLegalGuardian(db, establishmentId, 0),
      quality.guardiansWithoutContact(db, establishmentId, 0),
      quality.teachersWithoutAssignment(db, establishmentId, 0),
      adoption.qualityViewedAt(db, establishmentId),
    ]);
    return {
      viewedAt,
      checks: [
        { code: 'CLASS_WITHOUT_HEAD_TEACHER', severity: 'warning' as const, count: noHead.count },
        { code: 'CLASS_WITHOUT_TEACHER', severity: 'error' as const, count: noTeacher.count },
        { code: 'STUDENT_WITHOUT_CLASS', severity: 'error' as const, count: noClass.count },
        { code: 'STUDENT_WITHOUT_LEGAL_GUARDIAN', severity: 'error' as const, count: noGuardian.count },
        { code: 'GUARDIAN_WITHOUT_CONTACT', severity: 'warning' as const, count: noContact.count },
        { code: 'TEACHER_WITHOUT_ASSIGNMENT', severity: 'warning' as const, count: unassigned.count },
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
