/**
 * The absenteeism alert: a student with four half-days or more of unjustified absence in a month must be reported
 * by the head of the establishment to the académie (Code de l'éducation, L131-8). Every evening the job looks at
 * the month so far and tells the vie scolaire (staff whose directory function is `EDU`: CPE, assistants
 * d'éducation) and the direction, once per student and month, who has reached it since the last run.
 */
import type { Kysely } from 'kysely';
import { trustedDb } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { frenchDate } from '../../platform/dates.ts';
import type { Database } from '../../platform/db/schema.ts';
import { notify } from '../timeline/index.ts';
import { schoolLife } from './school_life.repository.ts';
import { absenteeismOf, THRESHOLD } from './school_life.service.ts';

export const THRESHOLD_KIND = 'school_life.absenteeism.reached';

/** For `today` (YYYY-MM-DD, Paris): the students newly at the threshold this month, by establishment. */
export async function alertAbsenteeism(db: Kysely<Database>, today: string): Promise<number> {
  const month = today.slice(0, 7);
  const monthLabel = frenchDate(`${month}-01`, { month: 'long', year: 'numeric' });
  let told = 0;
  const t = trustedDb(db, 'absenteeism job');
  for (const establishmentId of await schoolLife.establishmentsWithAbsencesSince(t, `${month}-01`)) {
    const reached = await absenteeismOf(t, establishmentId, month);
    if (reached.items.length === 0) continue;
    told += await db.transaction().execute(async (trx) => {
      const tt = trustedDb(trx, 'absenteeism job');
      const fresh = await schoolLife.recordThresholdAlerts(
        tt,
        establishmentId,
        month,
        reached.items.map((i) => ({ studentId: i.studentId, halfDays: i.halfDays })),
      );
      if (fresh.size === 0) return 0;
      const [direction, vieScolaire] = await Promise.all([
        relations.holdersOf(trx, establishmentId, ['principal']),
        relations.staffWithFunction(trx, establishmentId, ['EDU']),
      ]);
      const who = reached.items
        .filter((i) => fresh.has(i.studentId))
        .map((i) => `${i.name}${i.classCode ? ` (${i.classCode})` : ''} : ${i.halfDays} demi-journées`);
      const text =
        who.length === 1
          ? `Seuil d’absentéisme atteint en ${monthLabel} — ${who[0]} non justifiées (seuil : ${THRESHOLD}).`
          : `Seuil d’absentéisme atteint en ${monthLabel} par ${who.length} élèves (seuil : ${THRESHOLD} demi-journées non justifiées) — ${who.join(' ; ')}.`;
      await notify(trx, {
        establishmentId,
        kind: THRESHOLD_KIND,
        recipients: [...direction, ...vieScolaire],
        text: { fr: text },
        link: '/school-life?tab=absenteeism',
      });
      return fresh.size;
    });
  }
  return told;
}
