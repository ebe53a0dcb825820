/**
 * Retention of school life (the processing register: « l'année scolaire en cours, puis un an archivé »): every
 * night, what belongs to school years before the previous one goes — roll calls with their marks, absences and
 * lateness with their justifications (the justifications' attached documents lose that reference), incidents and
 * punishments. Sanctions stay: they follow the rules of the student's administrative file, which the direction
 * applies.
 */
import type { Kysely } from 'kysely';
import { trustedDb } from '../../platform/access/authorize.ts';
import type { Database } from '../../platform/db/schema.ts';
import { detachDocuments } from '../documents/index.ts';
import { schoolLife } from './school_life.repository.ts';

/**
 * The first day kept: 1 September of the school year before the current one (school years run September to
 * August). On 30 November 2026 that is 2025-09-01: 2025-2026 is the archived year, 2026-2027 the current one.
 */
export function retentionStart(today: string): string {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const current = month >= 9 ? year : year - 1;
  return `${current - 1}-09-01`;
}

export interface Purged {
  rollCalls: number;
  absences: number;
  justifications: number;
  incidents: number;
}

/** One transaction: the rows dated before `before` (a date) go, and the documents they held are let go. */
export async function purgeSchoolLife(db: Kysely<Database>, before: string): Promise<Purged> {
  return db.transaction().execute(async (trx) => {
    const t = trustedDb(trx, 'retention job');
    const justifications = await schoolLife.justificationsBefore(t, before);
    await detachDocuments(
      trx,
      justifications.map((id) => ({ module: 'school_life', type: 'justification', id })),
    );
    // Absences first (their justifications cascade), then roll calls (their marks cascade).
    const absences = await schoolLife.deleteAbsencesBefore(t, before);
    const rollCalls = await schoolLife.deleteRollCallsBefore(t, before);
    const incidents = await schoolLife.deleteIncidentsBefore(t, before);
    return { rollCalls, absences, justifications: justifications.length, incidents };
  });
}
