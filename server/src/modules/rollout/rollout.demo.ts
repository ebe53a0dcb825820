import { trustedDb } from '../../platform/access/authorize.ts';
import type { DemoWorld } from '../../platform/module.ts';
import { hashPassword } from '../../platform/passwords.ts';
import { insertUsageEvents, type UsageEvent } from '../../platform/usage.ts';
import { activateForDemo } from '../accounts/index.ts';
import { charterFacts } from '../charter/index.ts';
import { directoryFacts, type RosterRow } from '../directory/index.ts';
import { openServiceForDemo } from '../services/index.ts';
import { demoRows } from './demo.repository.ts';
import { rollUp } from './indicators.service.ts';
import { addDays, daysBetween, parisDay, parisMidnight } from './rollout.dates.ts';

/**
 * The demo académie's rollout, so that the principal's first look shows a cockpit alive: the services opened
 * over the autumn, accounts activated and charters accepted day after day, and the usage those people made
 * of the services — generated as usage events at their times, then rolled up like any day (never a figure
 * written directly). The lycée has its plan, objectives, steering group, resource persons with slots, training
 * sessions, needs, the tools it used before and its risks; the collège has started later, for the académie view.
 */

const FIXED = new Set([
  'direction.demo',
  'prof.demo',
  'eleve.demo',
  'parent.demo',
  'cpe.demo',
  'admin.demo',
  'activation.demo',
]);
const HOLIDAYS: [string, string][] = [
  ['2026-10-17', '2026-11-01'],
  ['2026-12-19', '2027-01-03'],
  ['2027-02-13', '2027-03-01'],
  ['2027-04-10', '2027-04-26'],
];
const schoolDay = (day: string) => {
  const dow = new Date(`${day}T12:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6 && !HOLIDAYS.some(([a, b]) => day >= a && day <= b);
};
const RANK = ['principal', 'local_admin', 'staff', 'teacher', 'guardian', 'student'];

/** How likely a person of a profile uses a service on a school day, once it has run for eight weeks. */
const USE: Record<string, Record<string, number>> = {
  logbook: { teacher: 0.75, student: 0.45, guardian: 0.18, staff: 0.1, principal: 0.5 },
  school_life: { teacher: 0.55, staff: 0.9, guardian: 0.12, student: 0.05, principal: 0.4 },
  messaging: { teacher: 0.4, staff: 0.6, guardian: 0.22, student: 0.15, principal: 0.6, local_admin: 0.3 },
  documents: { teacher: 0.25, student: 0.2, staff: 0.1 },
  timetable: { teacher: 0.3, student: 0.5, guardian: 0.1, staff: 0.2 },
};

interface School {
  id: string;
  openings: Record<string, string>;
  /** Share of each profile that activated their account, and the mean delay (days) after the start. */
  activation: Record<string, [number, number]>;
  /** A slower start: every likelihood multiplied. */
  pace: number;
}

export async function seedRolloutDemo(world: DemoWorld): Promise<void> {
  const db = trustedDb(world.db, 'the demo académie');
  const random = world.random;
  const lycee = world.establishments.find((e) => e.name.startsWith('Lycée'));
  const college = world.establishments.find((e) => e.name.startsWith('Collège'));
  if (!lycee || !college) return;
  const today = parisDay(new Date());
  const start = '2026-09-01' < today ? '2026-09-01' : addDays(today, -60);
  const demoHash = await hashPassword('demo');

  const schools: School[] = [
    {
      id: lycee.id,
      openings: {
        school_life: start,
        timetable: start,
        logbook: addDays(start, 6),
        messaging: addDays(start, 34),
        documents: addDays(start, 76),
      },
      activation: { teacher: [0.92, 4], staff: [1, 3], student: [0.68, 12], guardian: [0.47, 24] },
      pace: 1,
    },
    {
      id: college.id,
      openings: {
        school_life: start,
        timetable: addDays(start, 13),
        logbook: addDays(start, 27),
        messaging: addDays(start, 62),
      },
      activation: { teacher: [0.74, 9], staff: [0.9, 6], student: [0.44, 20], guardian: [0.26, 30] },
      pace: 0.7,
    },
  ];

  for (const school of schools) {
    for (const [key, opensOn] of Object.entries(school.openings)) {
      if (opensOn > today) continue;
      await openServiceForDemo(db, school.id, key as 'logbook', {
        status: 'mandatory',
        opensOn,
        generalizesOn: key === 'logbook' ? addDays(opensOn, 28) : null,
        updatedBy: world.accounts['direction.demo']!,
      });
    }

    // Accounts activated over the weeks, most charters accepted at once.
    const roster = await directoryFacts.roster(db, school.id);
    const members = await demoRows.members(db, school.id);
    const login = new Map(members.map((m) => [m.user_id, m.login]));
    const span = Math.max(1, Math.round((Date.parse(today) - Date.parse(start)) / 86_400_000));
    const activations: { userId: string; at: Date }[] = [];
    const acceptances: { userId: string; at: Date }[] = [];
    const activatedAt = new Map<string, Date>();
    const seen = new Set<string>();
    for (const r of roster) {
      if (seen.has(r.user_id)) continue;
      seen.add(r.user_id);
      const l = login.get(r.user_id) ?? '';
      if (r.activated) {
        activatedAt.set(r.user_id, parisMidnight(start));
        continue;
      }
      const [share, mean] = school.activation[r.profile] ?? [0, 1];
      if (FIXED.has(l) || random() >= share) continue;
      const offset = Math.min(span - 1, Math.floor(-Math.log(1 - random() * 0.999) * mean));
      const at = new Date(parisMidnight(addDays(start, offset)).getTime() + (8 + random() * 13) * 3_600_000);
      activations.push({ userId: r.user_id, at });
      activatedAt.set(r.user_id, at);
      if (random() < 0.94) acceptances.push({ userId: r.user_id, at: new Date(at.getTime() + 120_000) });
    }
    await activateForDemo(db, activations, demoHash);
    await charterFacts.acceptForDemo(db, school.id, acceptances);

    await generateUsage(world, db, school, roster, activatedAt, start, today, random);
  }

  await seedLyceePlan(world, lycee.id, start, today);
  // Every day since the start rolled up, as the hourly job would have done.
  await rollUp(db, null);
}

/** The usage those people made of the open services, day after day (a montée en charge), as usage events. */
async function generateUsage(
  world: DemoWorld,
  db: ReturnType<typeof trustedDb>,
  school: School,
  roster: RosterRow[],
  activatedAt: Map<string, Date>,
  start: string,
  today: string,
  random: () => number,
) {
  // The fixed demo accounts' usage is what people do with them (and the browser tests): none is generated.
  const fixed = new Set(Object.values(world.accounts));
  const people = new Map<string, { profile: string; zeal: number }>();
  for (const r of roster) {
    if (fixed.has(r.user_id)) continue;
    const prev = people.get(r.user_id);
    if (!prev || RANK.indexOf(r.profile) < RANK.indexOf(prev.profile)) {
      // A few keen people (the pioneers) use everything more; some hardly at all.
      const zeal = random() < 0.15 ? 1.6 : random() < 0.2 ? 0.4 : 1;
      people.set(r.user_id, { profile: r.profile, zeal: prev?.zeal ?? zeal });
    }
  }
  const events: (UsageEvent & { at: Date })[] = [];
  for (const day of daysBetween(start, today)) {
    if (!schoolDay(day)) continue;
    const midnight = parisMidnight(day).getTime();
    for (const [userId, p] of people) {
      const since = activatedAt.get(userId);
      if (!since || since.getTime() > midnight + 86_400_000) continue;
      let active = false;
      for (const [service, opensOn] of Object.entries(school.openings)) {
        if (opensOn > day) continue;
        const base = USE[service]?.[p.profile] ?? 0;
        const weeks = (Date.parse(day) - Date.parse(opensOn)) / (7 * 86_400_000);
        const ramp = Math.min(1, 0.25 + (0.75 * weeks) / 8);
        if (random() >= Math.min(0.95, base * ramp * p.zeal * school.pace)) continue;
        active = true;
        const n = 1 + Math.floor(random() * 3 * p.zeal);
        for (let i = 0; i < n; i++) {
          const at = new Date(midnight + (7 + random() * 14) * 3_600_000);
          if (at.getTime() > Date.now()) continue;
          events.push({ userId, establishmentId: school.id, profile: p.profile, service, action: 'use', at });
        }
      }
      if (active) {
        const at = new Date(midnight + (7 + random() * 2) * 3_600_000);
        if (at.getTime() <= Date.now()) {
          events.push({
            userId,
            establishmentId: school.id,
            profile: p.profile,
            service: 'portal',
            action: 'view',
            at,
          });
        }
      }
    }
  }
  await insertUsageEvents(db, events);
}

/** The lycée's plan and people, as its direction would have built them since the start of the year. */
async function seedLyceePlan(world: DemoWorld, id: string, start: string, today: string) {
  const db = trustedDb(world.db, 'the demo académie');
  const random = world.random;
  const acc = world.accounts;
  const direction = acc['direction.demo']!;
  const prof = acc['prof.demo']!;
  const cpe = acc['cpe.demo']!;
  const staff = await directoryFacts.staff(db, id);
  const teachers = staff.filter((s) => s.profiles.includes('teacher') && s.subjects.length > 0);
  const others = teachers.filter((t) => t.id !== prof);
  const pick = (i: number) => others[i % others.length]!.id;
  const at = (day: string, hour: number) => new Date(parisMidnight(day).getTime() + hour * 3_600_000);
  const d = (n: number) => addDays(start, n);
  const fromToday = (n: number) => addDays(today, n);
  const nextSchoolDay = (n: number) => {
    let day = today;
    for (let k = 0; k < n; ) {
      day = addDays(day, 1);
      if (schoolDay(day)) k++;
    }
    return day;
  };

  const academy = await demoRows.academyOf(db, id);
  const axes = await demoRows.axes(db, [
    { academy_id: academy, establishment_id: id, label: 'Axe 1 — La réussite de chaque élève' },
    { academy_id: academy, establishment_id: id, label: 'Axe 2 — Les familles associées à la scolarité' },
    { academy_id: academy, establishment_id: null, label: 'Le numérique au service des apprentissages' },
    { academy_id: academy, establishment_id: null, label: 'Une école qui coopère avec les parents' },
  ]);
  const axis = (label: string) => axes.find((a) => a.label.startsWith(label))!.id;
  await demoRows.contact(db, {
    academy_id: academy,
    name: 'Plateforme d’assistance ENT de la DANE',
    email: 'assistance-ent@ac-creteil.fr',
    phone: '01 57 02 60 60',
    url: 'https://dane.ac-creteil.fr',
    hours: 'Du lundi au vendredi, de 8 h à 18 h',
  });

  const done = (day: string) => (day < today ? at(day, 17) : null);
  const steps = await demoRows.steps(
    db,
    (
      [
        {
          service_key: 'logbook',
          title: 'Présentation du cahier de textes en conseil pédagogique',
          owner_id: direction,
          due_date: d(2),
          state: 'done',
          done_at: done(d(2)),
        },
        {
          service_key: 'logbook',
          title: 'Formation des enseignants de 2nde',
          owner_id: prof,
          due_date: d(15),
          state: 'done',
          done_at: done(d(15)),
        },
        {
          service_key: 'logbook',
          title: 'Visa des cahiers de textes de 2nde par la direction',
          owner_id: direction,
          due_date: fromToday(-4),
          state: 'in_progress',
          done_at: null,
        },
        {
          service_key: 'logbook',
          title: 'Bilan d’usage en conseil pédagogique',
          owner_id: direction,
          due_date: fromToday(18),
          state: 'todo',
          done_at: null,
        },
        {
          service_key: 'messaging',
          title: 'Ouverture de la messagerie aux familles',
          owner_id: cpe,
          due_date: d(34),
          state: 'done',
          done_at: done(d(34)),
        },
        {
          service_key: 'messaging',
          title: 'Charte des échanges parents-professeurs',
          owner_id: cpe,
          due_date: fromToday(-2),
          state: 'todo',
          done_at: null,
        },
        {
          service_key: 'messaging',
          title: 'Formation « la messagerie avec les familles »',
          owner_id: pick(0),
          due_date: fromToday(9),
          state: 'todo',
          done_at: null,
        },
        {
          service_key: 'documents',
          title: 'Arborescence des espaces de classe',
          owner_id: pick(1),
          due_date: fromToday(6),
          state: 'in_progress',
          done_at: null,
        },
        {
          service_key: 'school_life',
          title: 'Appel en ligne dans toutes les classes',
          owner_id: cpe,
          due_date: d(20),
          state: 'done',
          done_at: done(d(20)),
        },
        {
          service_key: 'rollout',
          title: 'Réunion de rentrée avec les parents élus',
          owner_id: direction,
          due_date: d(25),
          state: 'done',
          done_at: done(d(25)),
        },
      ] as const
    ).map((s) => ({ ...s, establishment_id: id })),
  );
  const step = (title: string) => steps.find((s) => s.title.startsWith(title))!.id;

  await demoRows.objectives(
    db,
    [
      {
        service_key: 'logbook',
        indicator: 'rollout.service_active.teacher',
        target: 0.9,
        due_date: fromToday(20),
        establishment_axis_id: axis('Axe 1'),
        academy_axis_id: axis('Le numérique'),
      },
      {
        service_key: 'logbook',
        indicator: 'rollout.service_active.student',
        target: 0.6,
        due_date: fromToday(60),
        establishment_axis_id: axis('Axe 1'),
        academy_axis_id: null,
      },
      {
        service_key: 'messaging',
        indicator: 'rollout.service_active.guardian',
        target: 0.4,
        due_date: fromToday(90),
        establishment_axis_id: axis('Axe 2'),
        academy_axis_id: axis('Une école'),
      },
      {
        service_key: 'rollout',
        indicator: 'rollout.guardian_activation_rate',
        target: 0.7,
        due_date: fromToday(45),
        establishment_axis_id: axis('Axe 2'),
        academy_axis_id: axis('Une école'),
      },
    ].map((o) => ({ ...o, establishment_id: id })),
  );

  await demoRows.tools(
    db,
    (
      [
        {
          name: 'Pronote (vie scolaire et notes)',
          category: 'school_life',
          service_key: 'school_life',
          users: 1400,
          frequency: 'daily',
          teaching_value: 'medium',
          decision: 'integrate',
          decision_date: d(0),
          notes: 'Connecteur SSO depuis l’ENT ; les absences restent saisies dans Pronote cette année.',
        },
        {
          name: 'Cahier de textes papier',
          category: 'logbook',
          service_key: 'logbook',
          users: 60,
          frequency: 'daily',
          teaching_value: 'medium',
          decision: 'move',
          decision_date: d(6),
          notes: '',
        },
        {
          name: 'Site du lycée (WordPress)',
          category: 'website',
          service_key: 'public_site',
          users: 8,
          frequency: 'weekly',
          teaching_value: 'low',
          decision: 'move',
          decision_date: fromToday(40),
          notes: 'Migration des actualités avant les portes ouvertes.',
        },
        {
          name: 'Padlet',
          category: 'documents',
          service_key: 'documents',
          users: 25,
          frequency: 'weekly',
          teaching_value: 'high',
          decision: 'integrate',
          decision_date: fromToday(10),
          notes: 'Lien depuis les espaces de classe.',
        },
        {
          name: 'Messagerie académique',
          category: 'messaging',
          service_key: 'messaging',
          users: 120,
          frequency: 'daily',
          teaching_value: 'low',
          decision: 'undecided',
          decision_date: null,
          notes: '',
        },
      ] as const
    ).map((t) => ({ ...t, establishment_id: id })),
  );

  await demoRows.risks(
    db,
    [
      {
        title: 'Familles éloignées du numérique laissées de côté',
        likelihood: 3,
        impact: 4,
        owner_id: cpe,
        mitigation: 'Permanence au CDI le mercredi ; fiches de connexion remises en main propre ; relance par SMS.',
        reviewed_at: at(fromToday(-10), 18),
      },
      {
        title: 'Surcharge des personnes ressources',
        likelihood: 3,
        impact: 3,
        owner_id: direction,
        mitigation: 'Deux heures de décharge par semaine ; créneaux limités à une heure.',
        reviewed_at: at(fromToday(-10), 18),
      },
      {
        title: 'Perte de temps d’enseignement lors des premières saisies',
        likelihood: 2,
        impact: 3,
        owner_id: prof,
        mitigation: 'Modèles de séances prêts à l’emploi ; formation en début d’année.',
        reviewed_at: null,
      },
      {
        title: 'Panne du réseau du lycée',
        likelihood: 1,
        impact: 4,
        owner_id: direction,
        mitigation: 'Procédure du mode dégradé affichée en salle des professeurs.',
        reviewed_at: null,
      },
    ].map((r) => ({ ...r, establishment_id: id })),
  );

  // The steering group: the principal pilots; the CPE; one TICE representative per discipline (prof.demo, a
  // resource person, is not in it: the demo keeps a teacher who sees the cockpit as most teachers do).
  const bySubject = new Map<string, string>();
  for (const t of others) {
    for (const code of t?.subjects ?? []) if (!bySubject.has(code) && bySubject.size < 8) bySubject.set(code, t.id);
  }
  await demoRows.team(db, [
    { establishment_id: id, user_id: direction, role: 'pilot', subject_code: null },
    { establishment_id: id, user_id: cpe, role: 'member', subject_code: null },
    ...[...bySubject].map(([code, userId]) => ({
      establishment_id: id,
      user_id: userId,
      role: 'tice' as const,
      subject_code: code,
    })),
  ]);

  const profSubject = staff.find((s) => s.id === prof)?.subjects[0] ?? null;
  const subjectOf = (i: number) => others[i % others.length]!.subjects[0] ?? null;
  await demoRows.needs(
    db,
    (
      [
        {
          author_id: prof,
          subject_code: profSubject,
          service_key: 'logbook',
          title: 'Joindre des fichiers GeoGebra aux devoirs',
          body: 'Les élèves de 2nde travaillent avec des figures dynamiques.',
          status: 'in_progress',
          answer:
            'Demande transmise à la DANE ; en attendant, déposez le fichier dans l’espace de classe et mettez le lien.',
          answered_by: direction,
          answered_at: at(fromToday(-5), 17),
          created_at: at(fromToday(-12), 12),
        },
        {
          author_id: pick(2),
          subject_code: subjectOf(2),
          service_key: 'logbook',
          title: 'Un modèle de séance pour les TP',
          body: '',
          status: 'done',
          answer: 'Trois modèles sont disponibles dans l’espace « Ressources du lycée ».',
          answered_by: prof,
          answered_at: at(fromToday(-20), 17),
          created_at: at(fromToday(-30), 12),
        },
        {
          author_id: pick(3),
          subject_code: subjectOf(3),
          service_key: 'messaging',
          title: 'Écrire à tous les parents d’une classe sans voir les adresses',
          body: '',
          status: 'open',
          answer: null,
          answered_by: null,
          answered_at: null,
          created_at: at(fromToday(-3), 12),
        },
        {
          author_id: cpe,
          subject_code: null,
          service_key: 'school_life',
          title: 'Former les AED à l’appel sur tablette',
          body: 'Quatre nouveaux assistants d’éducation depuis la Toussaint.',
          status: 'open',
          answer: null,
          answered_by: null,
          answered_at: null,
          created_at: at(fromToday(-2), 12),
        },
        {
          author_id: pick(4),
          subject_code: subjectOf(4),
          service_key: 'documents',
          title: 'Des dossiers partagés par équipe disciplinaire',
          body: '',
          status: 'declined',
          answer: 'Prévu par l’académie au deuxième trimestre : nous attendons cette version.',
          answered_by: direction,
          answered_at: at(fromToday(-8), 17),
          created_at: at(fromToday(-15), 12),
        },
        {
          author_id: pick(5),
          subject_code: subjectOf(5),
          service_key: 'logbook',
          title: 'Voir le cahier de textes des collègues de la classe',
          body: '',
          status: 'open',
          answer: null,
          answered_by: null,
          answered_at: null,
          created_at: at(fromToday(-1), 12),
        },
      ] as const
    ).map((n) => ({ ...n, establishment_id: id })),
  );

  // Self-assessment: every teacher of three disciplines (their aggregates show), 60 % of the others (theirs stay
  // hidden: fewer than five people).
  const skills: { establishment_id: string; user_id: string; domain: string; level: number; assessed_at: Date }[] = [];
  const counts = new Map<string, number>();
  for (const t of teachers) for (const c of t.subjects) counts.set(c, (counts.get(c) ?? 0) + 1);
  const everyone = new Set(
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([c]) => c),
  );
  for (const t of teachers) {
    if (t.id !== prof && !t.subjects.some((c) => everyone.has(c)) && random() > 0.6) continue;
    const base = 2 + random() * 2;
    for (const domain of ['information', 'communication', 'creation', 'protection', 'environment']) {
      const level = Math.max(1, Math.min(5, Math.round(base + (random() - 0.5) * 2)));
      skills.push({
        establishment_id: id,
        user_id: t.id,
        domain,
        level,
        assessed_at: at(fromToday(-Math.floor(random() * 40)), 19),
      });
    }
  }
  if (skills.length > 0) await demoRows.skills(db, skills);

  // Resource persons and their slots: some booked, one to come today, the past ones of last week.
  const rpLogbook = await demoRows.resourcePerson(db, {
    establishment_id: id,
    user_id: prof,
    service_key: 'logbook',
    subject_code: profSubject,
    note: 'Le midi au CDI, ou en visio le soir.',
  });
  const rpMessaging = await demoRows.resourcePerson(db, {
    establishment_id: id,
    user_id: pick(0),
    service_key: 'messaging',
    subject_code: null,
    note: '',
  });
  const rpSchoolLife = await demoRows.resourcePerson(db, {
    establishment_id: id,
    user_id: cpe,
    service_key: 'school_life',
    subject_code: null,
    note: 'Bureau de la vie scolaire.',
  });
  const slot = (
    rp: string,
    day: string,
    hour: number,
    minutes: number,
    mode: 'onsite' | 'remote',
    room: string | null,
    bookedBy: string | null,
    topic: string | null,
  ) => ({
    establishment_id: id,
    resource_person_id: rp,
    starts_at: at(day, hour),
    ends_at: new Date(at(day, hour).getTime() + minutes * 60_000),
    mode,
    room,
    booked_by: bookedBy,
    booked_at: bookedBy ? at(addDays(day, -2), 19) : null,
    topic,
  });
  await demoRows.slots(db, [
    slot(rpLogbook, nextSchoolDay(1), 12.5, 60, 'onsite', 'CDI', pick(6), 'Programmer des devoirs pour la semaine'),
    slot(rpLogbook, nextSchoolDay(2), 12.5, 60, 'onsite', 'CDI', null, null),
    slot(rpLogbook, nextSchoolDay(3), 17, 45, 'remote', null, null, null),
    slot(rpLogbook, nextSchoolDay(5), 12.5, 60, 'onsite', 'CDI', null, null),
    slot(rpLogbook, addDays(today, -6), 12.5, 60, 'onsite', 'CDI', pick(7), 'Première séance'),
    slot(
      rpMessaging,
      nextSchoolDay(2),
      16,
      60,
      'onsite',
      'Salle des professeurs',
      pick(8),
      'Listes de diffusion des classes',
    ),
    slot(rpMessaging, nextSchoolDay(4), 16, 60, 'onsite', 'Salle des professeurs', null, null),
    slot(rpSchoolLife, nextSchoolDay(1), 10, 30, 'onsite', 'Bureau vie scolaire', null, null),
  ]);

  // Training: one held in September (attendance taken), two to come.
  const held = await demoRows.training(db, {
    establishment_id: id,
    title: 'Prise en main du cahier de textes',
    audience: 'Enseignants de 2nde',
    starts_at: at(d(14), 14),
    ends_at: at(d(14), 16),
    place: 'Salle informatique B12',
    capacity: 16,
    step_id: step('Formation des enseignants'),
    created_by: direction,
  });
  const soon = await demoRows.training(db, {
    establishment_id: id,
    title: 'La messagerie avec les familles',
    audience: 'Professeurs principaux',
    starts_at: at(nextSchoolDay(6), 14),
    ends_at: at(nextSchoolDay(6), 16),
    place: 'CDI',
    capacity: 20,
    step_id: step('Formation « la messagerie'),
    created_by: direction,
  });
  const later = await demoRows.training(db, {
    establishment_id: id,
    title: 'Espace documentaire : partager en classe',
    audience: 'Tous les enseignants',
    starts_at: at(nextSchoolDay(12), 13),
    ends_at: at(nextSchoolDay(12), 14.5),
    place: 'Salle informatique B12',
    capacity: 14,
    step_id: step('Arborescence'),
    created_by: direction,
  });
  const regs = (training: string, ids: string[], present: (i: number) => boolean | null) =>
    ids.map((user_id, i) => ({ training_id: training, user_id, establishment_id: id, present: present(i) }));
  await demoRows.registrations(db, [
    ...regs(held, [prof, ...others.slice(0, 11).map((t) => t.id)], (i) => i !== 4 && i !== 9),
    ...regs(
      soon,
      others.slice(11, 17).map((t) => t.id),
      () => null,
    ),
    ...regs(later, [prof, ...others.slice(17, 20).map((t) => t.id)], () => null),
  ]);

  // The pulse on the cockpit itself, this month and last (answers name nobody; markers hold no answer).
  const month = today.slice(0, 7);
  const last = addDays(`${month}-01`, -1).slice(0, 7);
  const comments = [
    'Enfin un seul endroit pour tout retrouver',
    'Les créneaux de la personne ressource m’ont beaucoup aidé',
    'Trop de notifications la première semaine',
    'Il faudrait une formation pour les TZR',
    '',
    '',
    '',
  ];
  const answers: {
    establishment_id: string;
    service_key: string;
    period: string;
    score: number;
    comment: string | null;
  }[] = [];
  const markers: { establishment_id: string; user_id: string; service_key: string; period: string }[] = [];
  for (const [period, n] of [
    [last, 9],
    [month, 7],
  ] as const) {
    for (let i = 0; i < n; i++) {
      answers.push({
        establishment_id: id,
        service_key: 'rollout',
        period,
        score: 2 + Math.floor(random() * 4),
        comment: comments[(i + n) % comments.length] || null,
      });
      markers.push({
        establishment_id: id,
        user_id: teachers[(i * 3 + (period === month ? 1 : 0)) % teachers.length]!.id,
        service_key: 'rollout',
        period,
      });
    }
  }
  await demoRows.pulse(db, answers, markers);
}
