import {
  DATA_QUALITY_LIST_LIMIT,
  type DataQualityCheck,
  type DataQualityCode,
  type DataQualityFix,
  type DataQualityItem,
  type DataQualityReport,
  type EstablishmentProfile,
} from '@preau/contracts';
import { permissionsIn, requireEstablishmentPermission } from '../../../platform/access/access.ts';
import type { RequestContext } from '../../../platform/http/context.ts';
import { recordUsage } from '../../../platform/usage.ts';
import { type QualityCheckRows, type QualityHitRow, quality } from './quality.repository.ts';

type Severity = DataQualityCheck['severity'];

/** Where each problem gets fixed: the web screen of the person (or class) and the API call that fixes it. */
function fixFor(code: DataQualityCode, est: string, hit: QualityHitRow): DataQualityFix {
  const person = `/admin/${est}/users/${hit.id}`;
  const people = `/api/establishments/${est}/people`;
  const classTeachers = `/admin/${est}/users?class=${encodeURIComponent(hit.class ?? '')}&profile=teacher`;
  switch (code) {
    case 'CLASS_WITHOUT_HEAD_TEACHER':
      return { action: 'ASSIGN_HEAD_TEACHER', path: classTeachers, api: `POST ${people}/:userId/head-teacher` };
    case 'CLASS_WITHOUT_TEACHER':
      return { action: 'ADD_TEACHING_ASSIGNMENT', path: classTeachers, api: `POST ${people}/:userId/assignments` };
    case 'STUDENT_WITHOUT_CLASS':
      return { action: 'SET_CLASS', path: person, api: `PATCH ${people}/${hit.id}` };
    case 'STUDENT_WITHOUT_LEGAL_GUARDIAN':
      return { action: 'ADD_GUARDIAN', path: person, api: `POST ${people}/${hit.id}/guardians` };
    case 'GUARDIAN_WITHOUT_CONTACT':
      return { action: 'ADD_CONTACT', path: person, api: `PATCH ${people}/${hit.id}` };
    case 'TEACHER_WITHOUT_ASSIGNMENT':
      return { action: 'ADD_TEACHING_ASSIGNMENT', path: person, api: `POST ${people}/${hit.id}/assignments` };
  }
}

function present(
  code: DataQualityCode,
  severity: Severity,
  establishmentId: string,
  rows: QualityCheckRows,
): DataQualityCheck {
  const people: DataQualityItem[] = rows.people.map((h) => ({
    kind: h.kind,
    id: h.id,
    displayName: h.display_name,
    login: h.login,
    profile: h.profile as EstablishmentProfile | null,
    class: h.class,
    fix: fixFor(code, establishmentId, h),
  }));
  return { code, severity, count: rows.count, people, truncated: rows.count > people.length };
}

/**
 * The data-quality page: the import's checks run again on the live directory of the current school year —
 * what is wrong in the data —, and apart from them the rollout's progress on accounts (activations), which is
 * the normal state of a school that opens, not an anomaly. One set-based query per check, run side by side.
 */
export async function dataQuality(ctx: RequestContext, establishmentId: string): Promise<DataQualityReport> {
  const { user } = await requireEstablishmentPermission(ctx, 'users.read', establishmentId);
  const db = ctx.db;
  const n = DATA_QUALITY_LIST_LIMIT;
  const [year, noHead, noTeacher, noClass, noGuardian, noContact, unassigned, activation, manage] = await Promise.all([
    quality.currentYear(db, establishmentId),
    quality.classesWithoutHeadTeacher(db, establishmentId, n),
    quality.classesWithoutTeacher(db, establishmentId, n),
    quality.studentsWithoutClass(db, establishmentId, n),
    quality.studentsWithoutLegalGuardian(db, establishmentId, n),
    quality.guardiansWithoutContact(db, establishmentId, n),
    quality.teachersWithoutAssignment(db, establishmentId, n),
    quality.activationProgress(db, establishmentId, n),
    permissionsIn(db, user, establishmentId, ['users.manage']).then((p) => p.length > 0),
  ]);
  recordUsage(ctx, establishmentId, 'directory', 'data_quality.view');
  const checks = [
    present('CLASS_WITHOUT_HEAD_TEACHER', 'warning', establishmentId, noHead),
    present('CLASS_WITHOUT_TEACHER', 'error', establishmentId, noTeacher),
    present('STUDENT_WITHOUT_CLASS', 'error', establishmentId, noClass),
    present('STUDENT_WITHOUT_LEGAL_GUARDIAN', 'error', establishmentId, noGuardian),
    present('GUARDIAN_WITHOUT_CONTACT', 'warning', establishmentId, noContact),
    present('TEACHER_WITHOUT_ASSIGNMENT', 'warning', establishmentId, unassigned),
  ];
  return {
    schoolYear: year?.label ?? null,
    checkedAt: new Date().toISOString(),
    anomalies: checks.reduce((sum, c) => sum + c.count, 0),
    checks,
    progress: {
      activation: {
        activated: activation.activated,
        total: activation.total,
        byProfile: activation.by_profile.map((p) => ({ ...p, profile: p.profile as EstablishmentProfile })),
        byClass: activation.by_class,
        pending: activation.people.map((p) => ({
          id: p.id,
          displayName: p.display_name,
          login: p.login,
          profile: p.profile as EstablishmentProfile,
          class: p.class,
          // A person who also belongs elsewhere gets their code from the platform administrator (issue 8).
          can: { printSheet: manage && (!p.elsewhere || user.platformAdmin) },
        })),
        pendingCount: activation.pending,
        truncated: activation.pending > activation.people.length,
      },
    },
  };
}
