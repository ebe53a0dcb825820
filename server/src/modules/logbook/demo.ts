/**
 * A living logbook in the demo académie, built on the demo timetable: the last three weeks of lessons (every
 * course of 2NDE1 and of prof.demo, most of the other lycée classes'), homework set in about half of them and
 * due at the course's next occurrence — some of it for the next school day —, a few assessments, eleve.demo's
 * « fait » ticks, a visa of direction.demo on 2NDE1, a lesson prof.demo prepared ahead, and the worksheet of the
 * 2NDE1 space attached to their latest 2NDE1 homework. prof.demo's latest two lessons are left to fill, and
 * today's, for the home widget and the browser tests.
 */
import { trustedDb } from '../../platform/access/authorize.ts';
import type { DemoWorld } from '../../platform/module.ts';
import { attachDocuments, demoDocumentNamed } from '../documents/index.ts';
import { addDays, mondayOf, type OccurrenceInfo, occurrencesFor, parisDate, parisInstant } from '../timetable/index.ts';
import { demoWrites } from './demo.repository.ts';
import { cleanRichText } from './rich-text.ts';

const TOPICS: Record<string, string[]> = {
  '020100': [
    'Le roman au XIXe siècle : Balzac, « Le Père Goriot »',
    'Explication de texte : l’incipit',
    'La poésie du XIXe siècle : Baudelaire',
    'Méthode du commentaire : la problématique',
    'Le théâtre classique : Molière, « Le Malade imaginaire »',
    'Grammaire : les propositions subordonnées',
  ],
  '061300': [
    'Fonctions affines : variations et représentation',
    'Vecteurs du plan : coordonnées',
    'Équations de droites',
    'Statistiques : moyenne, médiane, quartiles',
    'Probabilités : événements et calculs',
    'Inéquations et tableaux de signes',
  ],
  '040300': [
    'La Méditerranée antique : les empreintes grecques',
    'Croquis : l’Europe de la Renaissance',
    'Les sociétés face aux risques',
    'Métropolisation et villes mondiales',
    'L’essor de l’État en France (XVe-XVIIIe siècle)',
  ],
  '030201': [
    'Reading comprehension: “The Digital World”',
    'Grammar: present perfect vs. simple past',
    'Oral expression: describing a picture',
    'Vocabulary: environment and climate',
    'Writing: an opinion essay',
  ],
  '030602': [
    'Comprensión oral: “La vida en Madrid”',
    'Gramática: el pretérito indefinido',
    'Expresión escrita: mi familia',
    'Vocabulario: la ciudad',
  ],
  '030402': ['Hörverstehen: „Meine Schule“', 'Grammatik: das Perfekt', 'Wortschatz: Freizeit'],
  '063800': [
    'Constitution de la matière : corps purs et mélanges',
    'TP : dosage par étalonnage',
    'Le mouvement : référentiel et trajectoire',
    'Les ondes sonores',
    'Transformations chimiques : équations de réaction',
  ],
  '062900': [
    'La cellule, unité du vivant',
    'TP : observation de cellules au microscope',
    'La biodiversité et son évolution',
    'Le métabolisme des cellules',
  ],
  '100100': ['Course de demi-fond : gestion de l’allure', 'Volley-ball : la réception', 'Badminton : le dégagement'],
  '060600': [
    'Comment les économistes raisonnent-ils ?',
    'La socialisation : les instances',
    'Comment crée-t-on des richesses ?',
  ],
  '050100': ['La conscience', 'Le désir', 'La technique', 'L’art'],
  '080100': ['La représentation de l’espace', 'Le collage'],
  '083500': ['Chant : la polyphonie', 'Écoute : le rythme'],
  '072000': ['Les objets techniques', 'Le cahier des charges'],
};

/** The documents demo's worksheet in 2NDE1's space, attached to prof.demo's latest homework there. */
const WORKSHEET = "Fiche d'exercices — fonctions affines.pdf";

const CONTENT = (title: string) =>
  `<p>${title}.</p><ul><li>Rappel de la séance précédente</li><li>Cours et exemples au tableau</li><li>Exercices d’application en classe</li></ul>`;

const HOMEWORK: { text: string; kind: 'exercise' | 'lesson' | 'assessment' | 'project'; minutes: number }[] = [
  { text: 'Exercices 12 à 15 page 87.', kind: 'exercise', minutes: 30 },
  { text: 'Apprendre la leçon et les définitions du cours.', kind: 'lesson', minutes: 20 },
  { text: 'Terminer la fiche d’exercices distribuée en classe.', kind: 'exercise', minutes: 25 },
  { text: 'Relire le chapitre et préparer trois questions.', kind: 'lesson', minutes: 15 },
  {
    text: 'Évaluation sur le chapitre en cours : réviser le cours et les exercices faits en classe.',
    kind: 'assessment',
    minutes: 45,
  },
  { text: 'Exposé en binôme : préparer le plan et les sources.', kind: 'project', minutes: 60 },
];

export async function seedLogbookDemo(world: DemoWorld): Promise<void> {
  const db = trustedDb(world.db, 'the demo seed');
  const today = parisDate();
  const from = addDays(mondayOf(today), -14);
  const eleve = world.accounts['eleve.demo'];
  const prof = world.accounts['prof.demo'];
  const direction = world.accounts['direction.demo'] ?? null;
  for (const est of world.establishments) {
    const lycee = est.uai.startsWith('0931234');
    const occurrences = (
      await occurrencesFor(db, { establishmentId: est.id, from, to: addDays(today, 21), all: true })
    ).filter((o) => !o.cancelled);
    const is2nde1 = (o: OccurrenceInfo) => o.classCode === '2NDE1';
    const isProf = (o: OccurrenceInfo) => !!prof && o.teachers.some((t) => t.id === prof);
    // The next occurrence of each course after a date: when its homework is due.
    const byCourse = new Map<string, OccurrenceInfo[]>();
    for (const o of occurrences) byCourse.set(o.courseId, [...(byCourse.get(o.courseId) ?? []), o]);
    const nextOf = (o: OccurrenceInfo) => byCourse.get(o.courseId)!.find((x) => x.date > o.date);
    const past = occurrences.filter((o) => o.date < today);
    const profPast = past.filter(isProf);
    const leftToFill = new Set(profPast.slice(-2).map((o) => `${o.courseId}|${o.date}`));
    const lessons: Parameters<typeof demoWrites.lessons>[1] = [];
    const homework: Parameters<typeof demoWrites.homework>[1] = [];
    const count = new Map<string, number>();
    for (const o of past) {
      const key = `${o.courseId}|${o.date}`;
      const keep = is2nde1(o) || isProf(o) ? !leftToFill.has(key) : lycee && world.random() < 0.7;
      if (!keep) continue;
      const n = count.get(o.courseId) ?? 0;
      count.set(o.courseId, n + 1);
      const topics = TOPICS[o.subject.code] ?? ['Séance de cours'];
      const title = topics[n % topics.length]!;
      const author = o.teachers[0]?.id ?? null;
      const id = crypto.randomUUID();
      lessons.push({
        id,
        establishment_id: est.id,
        school_year_id: o.schoolYearId,
        course_id: o.courseId,
        date: o.date,
        class_id: o.classId,
        group_id: o.groupId,
        subject_code: o.subject.code,
        author_id: author,
        title,
        content: cleanRichText(CONTENT(title)),
        links: JSON.stringify(
          o.subject.code === '061300' && n % 2 === 0
            ? [{ url: 'https://www.geogebra.org/classic', label: 'GeoGebra' }]
            : [],
        ),
        publish_at: null,
        created_at: parisInstant(o.date, o.endsAt),
      });
      const next = nextOf(o);
      if (next && (is2nde1(o) || world.random() < 0.45)) {
        const h = HOMEWORK[Math.floor(world.random() * HOMEWORK.length)]!;
        homework.push({
          id: crypto.randomUUID(),
          establishment_id: est.id,
          school_year_id: o.schoolYearId,
          lesson_id: id,
          course_id: o.courseId,
          class_id: o.classId,
          group_id: o.groupId,
          subject_code: o.subject.code,
          author_id: author,
          assigned_on: o.date,
          due_date: next.date,
          description: cleanRichText(`<p>${h.text}</p>`),
          kind: h.kind,
          estimated_minutes: h.minutes,
          publish_at: null,
          notified_at: parisInstant(o.date, o.endsAt),
        });
      }
    }
    // prof.demo prepared the lesson of their next 2NDE1 course ahead, to be published at its start.
    const ahead = occurrences.find((o) => o.date > today && isProf(o) && is2nde1(o));
    if (ahead && lycee)
      lessons.push({
        id: crypto.randomUUID(),
        establishment_id: est.id,
        school_year_id: ahead.schoolYearId,
        course_id: ahead.courseId,
        date: ahead.date,
        class_id: ahead.classId,
        group_id: ahead.groupId,
        subject_code: ahead.subject.code,
        author_id: prof!,
        title: 'Fonctions de référence : la fonction carré',
        content: cleanRichText(CONTENT('Fonctions de référence : la fonction carré')),
        links: '[]',
        publish_at: parisInstant(ahead.date, ahead.startsAt),
        created_at: new Date(),
      });
    await db.transaction().execute(async (t) => {
      const trx = trustedDb(t, 'the demo seed');
      await demoWrites.lessons(trx, lessons);
      await demoWrites.homework(trx, homework);
      // prof.demo's worksheet of the 2NDE1 space (documents' demo), attached to their latest 2NDE1 homework.
      const worksheet = lycee && prof ? await demoDocumentNamed(trx, est.id, WORKSHEET) : null;
      const courses2nde1 = new Set(occurrences.filter(is2nde1).map((o) => o.courseId));
      const last = homework.filter((h) => h.author_id === prof && courses2nde1.has(h.course_id)).at(-1);
      if (worksheet && last) {
        await attachDocuments(trx, {
          establishmentId: est.id,
          holder: { module: 'logbook', type: 'homework', id: last.id },
          documentIds: [worksheet],
          userId: prof!,
        });
      }
      if (lycee && eleve) {
        // eleve.demo ticked what was due before today.
        const ticks = homework.filter((h) => h.class_id && h.due_date < today && world.random() < 0.8);
        await demoWrites.done(
          trx,
          ticks.map((h) => ({ homework_id: h.id, student_id: eleve, establishment_id: est.id })),
        );
        // direction.demo signed 2NDE1 up to the Friday of the first week.
        const c2 = lessons.find((l) =>
          occurrences.some((o) => o.classId === l.class_id && o.classCode === '2NDE1'),
        )?.class_id;
        const through = addDays(from, 4);
        if (c2) {
          const signed = lessons.filter((l) => l.class_id === c2 && l.date <= through).map((l) => l.id);
          const visa = crypto.randomUUID();
          await demoWrites.visa(trx, {
            id: visa,
            establishment_id: est.id,
            school_year_id: est.schoolYearId,
            signer_id: direction,
            role: 'principal',
            class_id: c2,
            through,
            comment: 'Cahier bien tenu, merci.',
            lessons: signed.length,
          });
          await demoWrites.signed(trx, visa, signed);
        }
      }
    });
  }
}
