/**
 * A term of school life at the demo lycée: roll calls of every past course since September (a few left missing),
 * absences and lateness drawn per student and day (a handful of students often absent, so the absenteeism list is
 * not empty), most older records justified — half of them online by a guardian — some refused, the last days' to
 * justify, a few justifications waiting for cpe.demo, punishments given by teachers and one sanction by the
 * direction. eleve.demo: a justified illness in September, a lateness, and an absence of the last school day that
 * parent.demo has been told about and has to justify.
 */
import { trustedDb } from '../../platform/access/authorize.ts';
import { relations } from '../../platform/access/relations.repository.ts';
import { frenchDate } from '../../platform/dates.ts';
import type { DemoWorld } from '../../platform/module.ts';
import { notify } from '../timeline/index.ts';
import { addDays, occurrencesFor, parisDate } from '../timetable/index.ts';
import { schoolLifeDemo } from './school_life.repository.ts';
import { DEFAULT_REASONS } from './school_life.service.ts';

const LEGIT = DEFAULT_REASONS.filter((r) => r.legitimate && r.code !== 'autre');

export async function seedSchoolLifeDemo(world: DemoWorld): Promise<void> {
  const db = trustedDb(world.db, 'the demo seed');
  const lycee = world.establishments.find((e) => e.uai.startsWith('0931234'));
  if (!lycee) return;
  const r = world.random;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const today = parisDate();
  const yesterday = addDays(today, -1);
  const occ = (
    await occurrencesFor(db, { establishmentId: lycee.id, from: '2026-09-01', to: yesterday, all: true })
  ).filter((o) => !o.cancelled);
  if (occ.length === 0) return;
  const classIds = [...new Set(occ.map((o) => o.classId).filter((x): x is string => !!x))];
  const groupIds = [...new Set(occ.map((o) => o.groupId).filter((x): x is string => !!x))];
  const [byClass, byGroup] = await Promise.all([
    relations.studentsOfClasses(db, classIds),
    relations.studentsOfGroups(db, groupIds),
  ]);
  const students = [...new Set([...byClass.values()].flatMap((s) => [...s]))];
  const guardians = await relations.guardiansOf(db, students);
  const eleve = world.accounts['eleve.demo'];
  const parent = world.accounts['parent.demo'];
  const cpe = world.accounts['cpe.demo'] ?? null;
  const direction = world.accounts['direction.demo'] ?? null;
  // Propensity: most students rarely absent, one in twenty often.
  const often = new Set(students.filter((s) => s !== eleve && r() < 0.05));
  const days = [...new Set(occ.map((o) => o.date))].sort();
  const lastDay = days[days.length - 1]!;
  const sick = new Set<string>();
  const late = new Set<string>();
  for (const s of students) {
    if (s === eleve) continue;
    for (const d of days) {
      if (r() < (often.has(s) ? 0.09 : 0.012)) sick.add(`${s}|${d}`);
      else if (r() < 0.01) late.add(`${s}|${d}`);
    }
  }
  // eleve.demo: ill on the second Monday of September (justified online), late once, absent on the last day.
  const eleveDays = eleve ? days.filter((d) => d >= '2026-09-14').slice(0, 1) : [];
  if (eleve) {
    for (const d of eleveDays) sick.add(`${eleve}|${d}`);
    late.add(`${eleve}|${days[Math.max(0, days.length - 6)]}`);
  }
  const eleveLast = eleve ? `${eleve}|${lastDay}` : '';
  const rollCalls: Record<string, unknown>[] = [];
  const marks: Record<string, unknown>[] = [];
  const absences: Record<string, unknown>[] = [];
  const justifications: Record<string, unknown>[] = [];
  const firstCourseOf = new Map<string, string>();
  const fate = new Map<string, number>();
  const reasonOf = new Map<string, (typeof LEGIT)[number]>();
  const onlineOf = new Map<string, boolean>();
  const pendingOf = new Map<string, boolean>();
  const sorted = [...occ].sort((a, b) => a.start.localeCompare(b.start));
  const eleveLastCourse = eleve
    ? sorted.find((o) => o.date === lastDay && o.classId && byClass.get(o.classId)?.has(eleve))
    : undefined;
  for (const o of sorted) {
    const enrolled = o.classId ? byClass.get(o.classId) : o.groupId ? byGroup.get(o.groupId) : undefined;
    if (!enrolled) continue;
    // A few roll calls were never taken (about 3 %), never eleve.demo's course of the last day.
    if (r() < 0.03 && o !== eleveLastCourse) continue;
    const id = crypto.randomUUID();
    const teacher = o.teachers[0]?.id ?? null;
    const takenAt = new Date(new Date(o.start).getTime() + (2 + Math.floor(r() * 8)) * 60_000);
    rollCalls.push({
      id,
      establishment_id: lycee.id,
      course_id: o.courseId,
      on_date: o.date,
      class_id: o.classId,
      group_id: o.groupId,
      taken_by: teacher,
      taken_at: takenAt,
      updated_at: takenAt,
    });
    for (const s of enrolled) {
      const key = `${s}|${o.date}`;
      const first = !firstCourseOf.has(key);
      if (first) firstCourseOf.set(key, o.courseId);
      const absent = sick.has(key) || (key === eleveLast && o === eleveLastCourse);
      const isLate = !absent && first && late.has(key);
      if (!absent && !isLate) continue;
      const minutes = isLate ? pick([5, 5, 10, 10, 15, 20]) : null;
      marks.push({
        roll_call_id: id,
        student_id: s,
        establishment_id: lycee.id,
        mark: absent ? 'absent' : 'late',
        minutes,
      });
      const age = (Date.parse(today) - Date.parse(o.date)) / 86_400_000;
      // One fate per student and day: a day of illness is justified (or not) as a whole.
      const roll = fate.get(key) ?? r();
      fate.set(key, roll);
      const state =
        key === eleveLast
          ? 'to_justify'
          : age > 7
            ? roll < 0.8
              ? 'justified'
              : roll < 0.9
                ? 'not_justified'
                : 'to_justify'
            : roll < 0.3
              ? 'justified'
              : 'to_justify';
      const absenceId = crypto.randomUUID();
      const start = new Date(o.start);
      const end = isLate ? new Date(start.getTime() + minutes! * 60_000) : new Date(o.end);
      const reason = state === 'justified' ? (reasonOf.get(key) ?? pick(LEGIT)) : null;
      if (reason) reasonOf.set(key, reason);
      absences.push({
        id: absenceId,
        establishment_id: lycee.id,
        student_id: s,
        kind: absent ? 'absence' : 'lateness',
        left_early: false,
        starts_at: start,
        ends_at: end,
        on_date: o.date,
        minutes,
        state,
        reason_code: reason?.code ?? null,
        comment: null,
        source: 'roll_call',
        roll_call_id: id,
        course_id: o.courseId,
        subject_code: o.subject.code,
        created_by: teacher,
        created_at: takenAt,
        updated_at: takenAt,
      });
      const guardian = [...(guardians.get(s) ?? [])][0];
      const online = guardian && (s === eleve || (onlineOf.get(key) ?? r() < 0.5));
      onlineOf.set(key, !!online);
      if (reason && online) {
        justifications.push({
          establishment_id: lycee.id,
          absence_id: absenceId,
          guardian_id: s === eleve ? (parent ?? guardian) : guardian,
          reason_code: reason.code,
          reason_text: reason.label,
          comment: reason.code === 'maladie' && absent ? 'Fièvre : à la maison toute la journée.' : null,
          status: 'accepted',
          decided_by: cpe,
          decided_at: new Date(takenAt.getTime() + 86_400_000),
          decision_comment: null,
          created_at: new Date(takenAt.getTime() + 3 * 3_600_000),
        });
      } else if (state === 'not_justified' && guardian && r() < 0.5) {
        justifications.push({
          establishment_id: lycee.id,
          absence_id: absenceId,
          guardian_id: guardian,
          reason_code: null,
          reason_text: 'Réveil en retard',
          comment: null,
          status: 'refused',
          decided_by: cpe,
          decided_at: new Date(takenAt.getTime() + 86_400_000),
          decision_comment: 'Ce motif ne justifie pas une absence.',
          created_at: new Date(takenAt.getTime() + 5 * 3_600_000),
        });
      } else if (state === 'to_justify' && age <= 7 && s !== eleve && guardian && (pendingOf.get(key) ?? r() < 0.15)) {
        pendingOf.set(key, true);
        justifications.push({
          establishment_id: lycee.id,
          absence_id: absenceId,
          guardian_id: guardian,
          reason_code: 'rdv_medical',
          reason_text: 'Rendez-vous médical',
          comment: 'Rendez-vous chez l’orthodontiste, certificat à suivre.',
          status: 'pending',
          decided_by: null,
          decided_at: null,
          decision_comment: null,
          created_at: new Date(takenAt.getTime() + 2 * 3_600_000),
        });
      }
    }
  }
  const teachers = [...new Set(occ.flatMap((o) => o.teachers.map((t) => t.id)))];
  const incidents: Record<string, unknown>[] = [];
  const reasons = [
    ['retenue', 'Travail non fait à trois reprises', 'Mercredi 13 h – 15 h, salle d’étude'],
    ['retenue', 'Bavardages répétés malgré les avertissements', 'Mercredi 13 h – 15 h'],
    ['exclusion_cours', 'Refus de travailler et insolence envers l’enseignant', 'Accompagné en vie scolaire'],
    ['incident', 'Téléphone portable utilisé pendant un contrôle', null],
    ['retenue', 'Oubli répété du matériel', 'Mercredi 13 h – 14 h'],
  ] as const;
  for (let i = 0; i < 12; i++) {
    const [kind, reason, detail] = pick(reasons);
    incidents.push({
      establishment_id: lycee.id,
      student_id: pick([...often]) ?? pick(students),
      kind,
      on_date: pick(days.slice(-40)),
      reason,
      detail,
      given_by: pick(teachers),
    });
  }
  if (often.size) {
    incidents.push({
      establishment_id: lycee.id,
      student_id: [...often][0],
      kind: 'sanction',
      on_date: days[days.length - 3] ?? lastDay,
      reason: 'Absences répétées non justifiées et insolence',
      detail: 'Avertissement',
      given_by: direction,
    });
  }
  await db.transaction().execute(async (t) => {
    const trx = trustedDb(t, 'the demo seed');
    await schoolLifeDemo.insert(trx, 'school_life_roll_call', rollCalls);
    await schoolLifeDemo.insert(trx, 'school_life_mark', marks);
    await schoolLifeDemo.insert(trx, 'school_life_absence', absences);
    await schoolLifeDemo.insert(trx, 'school_life_justification', justifications);
    await schoolLifeDemo.insert(trx, 'school_life_incident', incidents);
    // parent.demo was told of the last day's absence, as the roll call does.
    const last = absences.find((a) => a.student_id === eleve && a.on_date === lastDay && a.kind === 'absence');
    if (last && parent && eleveLastCourse) {
      await notify(trx, {
        establishmentId: lycee.id,
        kind: 'school_life.absence.recorded',
        recipients: [parent],
        text: {
          fr: `Absence d'ÉLÈVE Emma le ${frenchDate(eleveLastCourse.start, { weekday: 'long', day: 'numeric', month: 'long' })} (${eleveLastCourse.subject.label}) : à justifier.`,
        },
        link: `/school-life?student=${eleve}`,
        actorId: eleveLastCourse.teachers[0]?.id ?? null,
        source: { type: 'school_life.absence', id: String(last.id) },
      });
    }
  });
}
