/**
 * The grades of the demo lycée: for each class and group, every teacher's assessments since the start of the
 * year (a test or homework about every two weeks per subject, coefficients 1 to 3, a few on 10 or on 40, some
 * absences and « non rendu »), grades drawn around each student's level. In 2NDE1, prof.demo's latest maths
 * test was entered this morning: prof.demo and direction.demo see it, eleve.demo and parent.demo once the 48-hour
 * delay has passed. The first trimester's comments of eleve.demo are written; its report is published once the
 * trimester is over. The collège's 6A gets competency assessments.
 */
import type { GradeCode } from '@preau/contracts';
import { trustedDb } from '../../platform/access/authorize.ts';
import type { DemoWorld } from '../../platform/module.ts';
import { notify } from '../timeline/index.ts';
import { addDays, parisDate, parisInstant, weekdayOf } from '../timetable/index.ts';
import { periodsOf } from './grades.compute.ts';
import { grades, gradesDemoData } from './grades.repository.ts';
import { rebuildStats } from './grades.service.ts';

const TITLES = ['Contrôle', 'Devoir maison', 'Interrogation écrite', 'Exposé', 'Évaluation de fin de chapitre'];
const COMPETENCIES = ['Chercher', 'Raisonner', 'Communiquer'];
/** The earlier of two ISO dates. */
const earliest = (...dates: string[]) => dates.sort()[0]!;

export async function seedGradesDemo(world: DemoWorld): Promise<void> {
  const db = trustedDb(world.db, 'the demo seed');
  const r = world.random;
  const today = parisDate();
  const now = new Date();
  const prof = world.accounts['prof.demo'];
  const eleve = world.accounts['eleve.demo'];
  const direction = world.accounts['direction.demo'] ?? null;
  for (const est of world.establishments) {
    const lycee = est.uai.startsWith('0931234');
    const college = !lycee && est === world.establishments.find((e) => !e.uai.startsWith('0931234'));
    if (!lycee && !college) continue;
    const year = await grades.currentYear(db, est.id);
    if (!year) continue;
    const [assignments, enrolments, heads] = await Promise.all([
      gradesDemoData.assignments(db, est.schoolYearId),
      gradesDemoData.enrolments(db, est.schoolYearId),
      gradesDemoData.heads(db, est.schoolYearId),
    ]);
    const members = new Map<string, string[]>();
    for (const e of enrolments) {
      const key = (e.class_id ?? e.group_id)!;
      const list = members.get(key) ?? [];
      list.push(e.student_id);
      members.set(key, list);
    }
    // Each student's level, around 12/20.
    const level = new Map<string, number>();
    for (const e of enrolments) if (!level.has(e.student_id)) level.set(e.student_id, 7 + r() * 10);
    const last = earliest(addDays(today, -1), year.ends_on);
    const assessments: Parameters<typeof gradesDemoData.insert>[1] = [];
    const rows: Parameters<typeof gradesDemoData.insert>[2] = [];
    const add = (
      a: (typeof assignments)[number],
      date: string,
      createdAt: Date,
      visibleAt: Date,
      notified: boolean,
    ) => {
      const id = crypto.randomUUID();
      const scale = r() < 0.8 ? 20 : r() < 0.5 ? 10 : 40;
      const withCompetencies = college && a.class_id !== null && r() < 0.5;
      assessments.push({
        id,
        establishment_id: est.id,
        school_year_id: est.schoolYearId,
        class_id: a.class_id,
        group_id: a.group_id,
        subject_code: a.subject_code,
        teacher_id: a.teacher_id,
        title: `${TITLES[Math.floor(r() * TITLES.length)]} n° ${(assessments.length % 9) + 1}`,
        on_date: date,
        coefficient: [1, 1, 2, 2, 3][Math.floor(r() * 5)]!,
        scale,
        competencies: withCompetencies ? COMPETENCIES : [],
        visible_at: visibleAt,
        notified_at: notified ? visibleAt : null,
        created_at: createdAt,
      });
      for (const sid of members.get((a.class_id ?? a.group_id)!) ?? []) {
        const x = r();
        const code: GradeCode | null = x < 0.04 ? 'absent' : x < 0.06 ? 'not_handed_in' : x < 0.07 ? 'exempt' : null;
        const on20 = Math.min(20, Math.max(0, (level.get(sid) ?? 12) + (r() - 0.5) * 8));
        const value = code ? null : Math.round(((on20 * scale) / 20) * 2) / 2;
        rows.push({
          assessment_id: id,
          student_id: sid,
          establishment_id: est.id,
          value,
          code,
          levels: withCompetencies ? COMPETENCIES.map(() => Math.min(4, Math.max(1, Math.round(on20 / 5)))) : null,
          entered_at: createdAt,
        });
      }
      return id;
    };
    // About every two weeks per assignment, on a school day, from the third week of the year to yesterday.
    for (const a of assignments) {
      if (!members.has((a.class_id ?? a.group_id)!)) continue;
      for (
        let d = addDays(year.starts_on, 12 + Math.floor(r() * 10));
        d <= last;
        d = addDays(d, 12 + Math.floor(r() * 6))
      ) {
        const date = weekdayOf(d) >= 6 ? addDays(d, 8 - weekdayOf(d)) : d;
        if (date > last) break;
        const createdAt = parisInstant(date, '18:30');
        const visibleAt = new Date(createdAt.getTime() + 48 * 3_600_000);
        add(a, date, createdAt, visibleAt, visibleAt <= now);
      }
    }
    // prof.demo's maths test in 2NDE1, entered this morning: inside its delay.
    const profMaths =
      lycee && prof
        ? assignments.find((a) => a.teacher_id === prof && a.class_id && a.subject_code === '061300')
        : undefined;
    if (profMaths) {
      const entered = new Date(Math.min(now.getTime(), parisInstant(today, '08:30').getTime()));
      add(
        profMaths,
        today <= year.ends_on ? today : last,
        entered,
        new Date(entered.getTime() + 48 * 3_600_000),
        false,
      );
      assessments.at(-1)!.title = 'Contrôle : fonctions affines';
    }
    await db.transaction().execute(async (t) => {
      const trx = trustedDb(t, 'the demo seed');
      await gradesDemoData.insert(trx, assessments, rows);
      // The class's figures the grades pages read, kept as the service keeps them.
      await rebuildStats(trx, est.id);
      if (!lycee || !eleve || !prof) return;
      // The first trimester of eleve.demo: comments, and the report published once the trimester is over.
      const t1 = periodsOf('trimester', year.starts_on, year.ends_on)[0]!;
      const classOfEleve = enrolments.find((e) => e.student_id === eleve && e.class_id)?.class_id;
      if (!classOfEleve) return;
      const taught = assignments.filter((a) => a.class_id === classOfEleve);
      await gradesDemoData.comments(trx, [
        ...taught.slice(0, 6).map((a, i) => ({
          establishment_id: est.id,
          school_year_id: est.schoolYearId,
          period: 'T1',
          student_id: eleve,
          kind: 'subject' as const,
          subject_code: a.subject_code,
          author_id: a.teacher_id,
          text: [
            'Bon trimestre, travail régulier.',
            'Des progrès ; la participation orale doit se poursuivre.',
            'Ensemble satisfaisant, attention aux leçons.',
            'Très bon investissement en classe.',
            'Des résultats fragiles : il faut reprendre les exercices.',
            'Élève sérieuse et appliquée.',
          ][i]!,
        })),
        {
          establishment_id: est.id,
          school_year_id: est.schoolYearId,
          period: 'T1',
          student_id: eleve,
          kind: 'head_teacher',
          subject_code: '',
          author_id: heads.find((h) => h.class_id === classOfEleve)?.teacher_id ?? prof,
          text: 'Un premier trimestre encourageant. Emma doit garder ce rythme de travail.',
        },
        {
          establishment_id: est.id,
          school_year_id: est.schoolYearId,
          period: 'T1',
          student_id: eleve,
          kind: 'direction',
          subject_code: '',
          author_id: direction,
          text: 'Félicitations pour ce trimestre.',
        },
      ]);
      if (today > t1.to && direction) {
        await grades.publishReport(
          trx,
          {
            establishment_id: est.id,
            school_year_id: est.schoolYearId,
            class_id: classOfEleve,
            period: 'T1',
            published_by: direction,
          },
          parisInstant(earliest(addDays(t1.to, 10), today), '17:00'),
        );
      }
      // The latest visible maths grades of 2NDE1 are on eleve.demo's and parent.demo's timeline.
      const latest = assessments
        .filter((a) => a.class_id === classOfEleve && a.subject_code === '061300' && a.notified_at)
        .at(-1);
      const parent = world.accounts['parent.demo'];
      if (latest)
        await notify(trx, {
          establishmentId: est.id,
          kind: 'grades.assessment.published',
          recipients: [eleve, ...(parent ? [parent] : [])],
          actorId: latest.teacher_id,
          text: { fr: `Nouvelles notes en Mathématiques : « ${latest.title} » (2NDE1).` },
          link: '/grades',
          source: { type: 'grades_assessment', id: latest.id },
        });
    });
  }
}
