/**
 * A generated académie, in memory: establishments (lycées and collèges of realistic sizes), their classes and
 * groups, students, guardians (families, siblings across schools), staff and teachers with their teaching
 * assignments and head-teacher roles. Deterministic from a seed. The AAF writer and the database writer both
 * read this model, so the XML files and the database describe the same académie.
 */
import { allocateLogin, baseLogin, uaiCheckLetter } from '../../../server/src/platform/logins.ts';
import {
  COLLEGE_LEVELS,
  COMMUNES,
  type Commune,
  DISCIPLINES,
  FIRST_F,
  FIRST_M,
  LAST,
  type Level,
  LYCEE_LEVELS,
  PATRONS,
  STAFF_FUNCTIONS,
  STREETS,
  type StaffFunctionKey,
  SUBJECTS,
  type SubjectKey,
} from './names.ts';
import { Random, spread } from './random.ts';

export type EstablishmentType = 'LYCEE' | 'COLLEGE';

export interface Klass {
  id: string;
  code: string;
  label: string;
  level: Level;
}

export interface Group {
  id: string;
  code: string;
  label: string;
  subject: SubjectKey;
}

export interface Establishment {
  id: string;
  /** ENTStructureJointure. */
  key: string;
  uai: string;
  type: EstablishmentType;
  /** As the AAF writes it (upper case). */
  aafName: string;
  name: string;
  commune: Commune;
  street: string;
  phone: string;
  siret: string;
  classes: Klass[];
  groups: Group[];
}

export interface GuardianLink {
  guardian: Guardian;
  /** SIECLE relation code: 10 father, 20 mother, 50 other family member. */
  relation: '10' | '20' | '50';
  level: 'legal' | 'in_charge';
  /** Pays the school fees (third field of ENTElevePersRelEleve). */
  payer: boolean;
}

interface Person {
  id: string;
  key: string;
  login: string;
  firstName: string;
  lastName: string;
  title: 'M.' | 'Mme' | 'Mlle';
}

export interface Student extends Person {
  establishment: Establishment;
  klass: Klass;
  groups: Group[];
  ine: string;
  otherFirstNames: string[];
  /** ISO yyyy-mm-dd. */
  birthDate: string;
  scholarship: boolean;
  guardians: GuardianLink[];
}

export interface Guardian extends Person {
  email: string | null;
  mobile: string | null;
  homePhone: string | null;
  address: string;
  commune: Commune;
  students: Student[];
}

export interface Assignment {
  kind: 'class' | 'group';
  code: string;
  /** Class or group id (database). */
  targetId: string;
  subject: SubjectKey;
}

export interface StaffFunction {
  code: string;
  label: string;
  positionCode: string;
  positionLabel: string;
}

export interface Staff extends Person {
  establishment: Establishment;
  birthDate: string;
  email: string;
  functions: StaffFunction[];
  assignments: Assignment[];
  headOf: Klass[];
}

export interface Academy {
  seed: number;
  code: string;
  name: string;
  /** Export date, ISO. */
  date: string;
  /** `2026-2027` for an export dated September 2026. */
  schoolYear: { label: string; startsOn: string; endsOn: string };
  establishments: Establishment[];
  students: Student[];
  guardians: Guardian[];
  staff: Staff[];
  subjects: { code: string; label: string }[];
  mefs: { code: string; label: string; level: string }[];
}

export interface EstablishmentSpec {
  type: EstablishmentType;
  students: number;
  /** Staff head count; default ~8% of students. */
  staff?: number;
}

export interface AcademyOptions {
  seed: number;
  /** Either a number of establishments (sizes drawn), or explicit specs. */
  establishments: number | EstablishmentSpec[];
  /** Exact number of distinct guardians; default 1.7 per student. */
  guardians?: number;
  /** Export date, ISO yyyy-mm-dd; default 2026-09-01. */
  date?: string;
}

/** The import scenario's lycée: 2,000 students, 3,500 guardians, 200 staff. */
export const LYCEE_PRESET: Pick<AcademyOptions, 'establishments' | 'guardians'> = {
  establishments: [{ type: 'LYCEE', students: 2000, staff: 200 }],
  guardians: 3500,
};

const GUARDIANS_PER_STUDENT = 1.7;
const STAFF_RATE = 0.08;
const SIBLING_RATE = 0.08;
const CLASS_SIZE = { LYCEE: 35, COLLEGE: 26 } as const;
const GROUP_SIZE = 30;

/** Weekly hours of each subject (drives how many teachers each discipline needs). */
const HOURS: Record<SubjectKey, number> = {
  FR: 4.5,
  MATHS: 4,
  HG: 3,
  EMC: 0.5,
  ANG: 3,
  ESP: 2.5,
  ALL: 2.5,
  ITA: 2.5,
  PC: 2.5,
  SVT: 1.5,
  EPS: 3,
  ARTS: 1,
  MUS: 1,
  TECH: 1.5,
  SES: 1.5,
  PHILO: 4,
  LAT: 2,
  SNT: 1.5,
  ESC: 2,
  HGGSP: 4,
  LLCER: 4,
  MGT: 4,
  DRECO: 4,
};

const LYCEE_SPECIALITIES: SubjectKey[] = ['MATHS', 'PC', 'SVT', 'SES', 'HGGSP', 'LLCER'];
const SPECIALITY_WEIGHTS = [0.3, 0.2, 0.17, 0.15, 0.1, 0.08];

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toUpperCase();
const slugify = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function classLabel(level: Level, n: number, code: string): string {
  const names: Record<string, string> = {
    '6': '6e',
    '5': '5e',
    '4': '4e',
    '3': '3e',
    '2NDE': 'Seconde',
    '1G': 'Première générale',
    '1STMG': 'Première STMG',
    TG: 'Terminale générale',
    TSTMG: 'Terminale STMG',
  };
  const base = names[level.prefix] ?? level.prefix;
  return /^[3-6]$/.test(level.prefix) ? `${base} ${code.slice(1)}` : `${base} ${n}`;
}

/** Largest-remainder split of `total` by weights, each part at least `min[i]` and at most `max[i]`. */
function apportion(total: number, weights: number[], min: number[], max: number[]): number[] {
  const out = min.slice();
  let left = total - out.reduce((a, b) => a + b, 0);
  while (left > 0) {
    const open = weights.map((w, i) => (out[i]! < max[i]! ? w : 0));
    const sum = open.reduce((a, b) => a + b, 0);
    if (sum === 0) break;
    // Give one to the part furthest below its share.
    let best = -1;
    let bestGap = Number.NEGATIVE_INFINITY;
    const target = out.reduce((a, b) => a + b, 0) + left;
    for (let i = 0; i < weights.length; i++) {
      if (open[i] === 0) continue;
      const gap = (target * open[i]!) / sum - out[i]!;
      if (gap > bestGap) {
        bestGap = gap;
        best = i;
      }
    }
    out[best]!++;
    left--;
  }
  return out;
}

export function generateAcademy(options: AcademyOptions): Academy {
  const r = new Random(options.seed);
  const ids = new Random(options.seed ^ 0x5eed1d5);
  const date = options.date ?? '2026-09-01';
  const startYear = Number(date.slice(0, 4)) - (Number(date.slice(5, 7)) < 8 ? 1 : 0);
  const schoolYear = {
    label: `${startYear}-${startYear + 1}`,
    startsOn: `${startYear}-09-01`,
    endsOn: `${startYear + 1}-07-04`,
  };

  const specs: EstablishmentSpec[] =
    typeof options.establishments === 'number'
      ? Array.from({ length: options.establishments }, (_, i) => {
          // About a third lycées, two thirds collèges (France: ~4,000 lycées, ~7,000 collèges); the first is a lycée.
          const type: EstablishmentType = i === 0 || (i > 1 && r.chance(0.34)) ? 'LYCEE' : 'COLLEGE';
          return { type, students: type === 'LYCEE' ? r.int(1000, 2000) : r.int(400, 800) };
        })
      : options.establishments;

  const establishments: Establishment[] = [];
  const students: Student[] = [];
  const staff: Staff[] = [];
  const uaiCounters = new Map<string, number>();
  let studentSeq = 0;
  let staffSeq = 0;

  const person = (female: boolean, last?: string) => ({
    firstName: r.pick(female ? FIRST_F : FIRST_M),
    lastName: last ?? r.pick(LAST),
  });
  const day = (year: number) => {
    const month = r.int(1, 12);
    const dim = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return `${year}-${pad(month, 2)}-${pad(r.int(1, dim), 2)}`;
  };

  specs.forEach((spec, i) => {
    const commune = r.pick(COMMUNES);
    const counter = (uaiCounters.get(commune.dept) ?? 0) + 1;
    uaiCounters.set(commune.dept, counter);
    const digits = `${commune.dept}${pad(spec.type === 'LYCEE' ? counter : 1000 + counter, 4)}`;
    const patron = r.pick(PATRONS);
    const typeWord = spec.type === 'LYCEE' ? 'Lycée' : 'Collège';
    const est: Establishment = {
      id: ids.uuid(),
      key: String(10001 + i),
      uai: `${digits}${uaiCheckLetter(digits)}`,
      type: spec.type,
      aafName: fold(`${typeWord} ${patron}`),
      name: `${typeWord} ${patron}`,
      commune,
      street: `${r.int(1, 120)} ${r.pick(STREETS)}`,
      phone: `01 ${pad(r.int(40, 64), 2)} ${pad(r.int(0, 99), 2)} ${pad(r.int(0, 99), 2)} ${pad(r.int(0, 99), 2)}`,
      siret: `19${digits}${pad(r.int(0, 99999), 5)}`,
      classes: [],
      groups: [],
    };
    establishments.push(est);

    // Classes, level by level.
    const levels = spec.type === 'LYCEE' ? LYCEE_LEVELS : COLLEGE_LEVELS;
    const totalWeight = levels.reduce((a, l) => a + l.weight, 0);
    const perLevel = apportion(
      spec.students,
      levels.map((l) => l.weight / totalWeight),
      levels.map(() => 1),
      levels.map(() => spec.students),
    );
    const levelStudents: Student[][] = [];
    levels.forEach((level, li) => {
      const n = perLevel[li]!;
      const nClasses = Math.max(1, Math.round(n / CLASS_SIZE[spec.type]));
      const sizes = spread(n, nClasses);
      const atLevel: Student[] = [];
      sizes.forEach((size, ci) => {
        const code = /^[3-6]$/.test(level.prefix)
          ? `${level.prefix}${ci < 26 ? String.fromCharCode(65 + ci) : ci + 1}`
          : `${level.prefix}${ci + 1}`;
        const klass: Klass = { id: ids.uuid(), code, label: classLabel(level, ci + 1, code), level };
        est.classes.push(klass);
        for (let k = 0; k < size; k++) {
          const female = r.chance(0.5);
          const p = person(female);
          const age = level.age + (r.chance(0.08) ? 1 : 0);
          studentSeq++;
          const s: Student = {
            id: ids.uuid(),
            key: `E${pad(studentSeq, 7)}`,
            login: '',
            ...p,
            title: female ? 'Mlle' : 'M.',
            establishment: est,
            klass,
            groups: [],
            ine: `${pad(100000000 + ((studentSeq * 7919) % 900000000), 9)}${String.fromCharCode(65 + (studentSeq % 26))}${String.fromCharCode(65 + ((studentSeq * 7) % 26))}`,
            otherFirstNames: r.chance(0.5) ? [r.pick(female ? FIRST_F : FIRST_M)] : [],
            birthDate: day(startYear - age),
            scholarship: r.chance(0.25),
            guardians: [],
          };
          students.push(s);
          atLevel.push(s);
        }
      });
      levelStudents.push(atLevel);
    });

    // Groups: modern languages (LV2), Latin in collège, specialities in lycée.
    const makeGroups = (level: Level, subject: SubjectKey, members: Student[]) => {
      if (members.length === 0) return;
      const n = Math.ceil(members.length / GROUP_SIZE);
      const sizes = spread(members.length, n);
      let at = 0;
      sizes.forEach((size, gi) => {
        const g: Group = {
          id: ids.uuid(),
          code: `${level.prefix}_${subject}_${gi + 1}`,
          label: `${SUBJECTS[subject][1]} ${level.prefix} groupe ${gi + 1}`,
          subject,
        };
        est.groups.push(g);
        for (const s of members.slice(at, at + size)) s.groups.push(g);
        at += size;
      });
    };
    levels.forEach((level, li) => {
      const atLevel = r.shuffle(levelStudents[li]!);
      const lv2 = spec.type === 'LYCEE' || level.prefix !== '6';
      if (lv2) {
        const esp = Math.round(atLevel.length * 0.65);
        const all = Math.round(atLevel.length * (spec.type === 'LYCEE' ? 0.2 : 0.35));
        makeGroups(level, 'ESP', atLevel.slice(0, esp));
        makeGroups(level, 'ALL', atLevel.slice(esp, esp + all));
        makeGroups(level, 'ITA', atLevel.slice(esp + all));
      }
      if (spec.type === 'COLLEGE' && level.prefix !== '6') {
        makeGroups(level, 'LAT', r.shuffle(atLevel).slice(0, Math.round(atLevel.length * 0.2)));
      }
      if (level.prefix === '1G' || level.prefix === 'TG') {
        const k = level.prefix === '1G' ? 3 : 2;
        const bySpeciality = new Map<SubjectKey, Student[]>();
        for (const s of atLevel) {
          const chosen = new Set<SubjectKey>();
          while (chosen.size < k) {
            let x = r.next();
            let idx = 0;
            while (idx < SPECIALITY_WEIGHTS.length - 1 && x >= SPECIALITY_WEIGHTS[idx]!) {
              x -= SPECIALITY_WEIGHTS[idx]!;
              idx++;
            }
            chosen.add(LYCEE_SPECIALITIES[idx]!);
          }
          for (const spe of chosen) {
            const list = bySpeciality.get(spe) ?? [];
            list.push(s);
            bySpeciality.set(spe, list);
          }
        }
        for (const spe of LYCEE_SPECIALITIES) makeGroups(level, spe, bySpeciality.get(spe) ?? []);
      }
    });

    // Staff: the non-teaching team first, then teachers to reach ~8% of the students.
    const n = spec.students;
    const team: [StaffFunctionKey, number][] = [
      ['DIR_CHEF', 1],
      ['DIR_ADJ', n > 1200 ? 2 : 1],
      ['CPE', Math.max(1, Math.round(n / 500))],
      ['AED', Math.max(2, Math.round(n / 110))],
      ['DOC', n > 1200 ? 2 : 1],
      ['SEC', n > 1000 ? 3 : 2],
      ['GES', 1],
      ['INF', 1],
      ['ASS', spec.type === 'LYCEE' || n > 600 ? 1 : 0],
      ['LAB', spec.type === 'LYCEE' ? 2 : 0],
    ];
    const staffTotal = spec.staff ?? Math.round(n * STAFF_RATE);
    const teamSize = team.reduce((a, [, c]) => a + c, 0);
    const newStaff = (female: boolean): Staff => {
      const p = person(female);
      staffSeq++;
      return {
        id: ids.uuid(),
        key: `P${pad(staffSeq, 7)}`,
        login: '',
        ...p,
        title: female ? 'Mme' : 'M.',
        establishment: est,
        birthDate: day(r.int(1962, 1999)),
        email: '',
        functions: [],
        assignments: [],
        headOf: [],
      };
    };
    for (const [fn, count] of team) {
      for (let k = 0; k < count; k++) {
        const s = newStaff(r.chance(0.6));
        const [code, label, positionCode, positionLabel] = STAFF_FUNCTIONS[fn];
        s.functions.push({ code, label, positionCode, positionLabel });
        staff.push(s);
      }
    }

    // Teaching units: each class × class subject, each group × its subject; grouped by discipline.
    const units = new Map<string, Assignment[]>();
    const addUnit = (a: Assignment) => {
      const d = DISCIPLINES[a.subject][0];
      const list = units.get(d) ?? [];
      list.push(a);
      units.set(d, list);
    };
    for (const c of est.classes)
      for (const subject of c.level.classSubjects) addUnit({ kind: 'class', code: c.code, targetId: c.id, subject });
    for (const g of est.groups) addUnit({ kind: 'group', code: g.code, targetId: g.id, subject: g.subject });
    const disciplines = [...units.keys()].sort();
    const unitLists = disciplines.map((d) => units.get(d)!);
    const teachersWanted = Math.max(disciplines.length, staffTotal - teamSize);
    const perDiscipline = apportion(
      teachersWanted,
      unitLists.map((list) => list.reduce((a, u) => a + HOURS[u.subject], 0)),
      unitLists.map(() => 1),
      unitLists.map((list) => list.length),
    );
    const classTeachers = new Map<string, Staff[]>();
    disciplines.forEach((d, di) => {
      const list = unitLists[di]!;
      const count = perDiscipline[di]!;
      const [positionCode, positionLabel] = [d, DISCIPLINES[list[0]!.subject][1]];
      const teachers = Array.from({ length: count }, () => {
        const t = newStaff(r.chance(0.62));
        t.functions.push({ code: 'ENS', label: 'ENSEIGNEMENT', positionCode, positionLabel });
        staff.push(t);
        return t;
      });
      // Contiguous runs: a teacher takes several classes of the same level.
      list.forEach((u, k) => {
        const t = teachers[Math.floor((k * count) / list.length)]!;
        t.assignments.push(u);
        if (u.kind === 'class') {
          const ts = classTeachers.get(u.code) ?? [];
          if (!ts.includes(t)) ts.push(t);
          classTeachers.set(u.code, ts);
        }
      });
    });
    // Head teachers: one per class, among its teachers, each teacher at most one class when possible.
    for (const c of est.classes) {
      const ts = classTeachers.get(c.code) ?? [];
      const free = ts.filter((t) => t.headOf.length === 0);
      const head = free.length > 0 ? r.pick(free) : r.pick(ts);
      head.headOf.push(c);
    }
  });

  // Families: siblings share their guardians (sometimes across a collège and a lycée).
  const families: { students: Student[]; lastName: string }[] = [];
  for (const s of r.shuffle(students)) {
    if (families.length > 10 && r.chance(SIBLING_RATE)) {
      const f = families[r.int(0, families.length - 1)]!;
      s.lastName = f.lastName;
      f.students.push(s);
    } else {
      families.push({ students: [s], lastName: s.lastName });
    }
  }
  const guardiansWanted = options.guardians ?? Math.round(students.length * GUARDIANS_PER_STUDENT);
  const perFamily = families.map(() => 1);
  let extra = guardiansWanted - families.length;
  const order = r.shuffle(families.map((_, i) => i));
  for (const round of [1, 2]) {
    for (const i of order) {
      if (extra <= 0) break;
      if (perFamily[i] === round) {
        perFamily[i]!++;
        extra--;
      }
    }
  }
  const guardians: Guardian[] = [];
  let guardianSeq = 0;
  families.forEach((f, fi) => {
    const commune = f.students[0]!.establishment.commune;
    const address = `${r.int(1, 180)} ${r.pick(STREETS)}`;
    const count = perFamily[fi]!;
    const singleFather = count === 1 && r.chance(0.18);
    for (let k = 0; k < count; k++) {
      const mother = k === 0 && !singleFather;
      const third = k === 2;
      const female = third ? r.chance(0.6) : mother;
      const lastName = mother && r.chance(0.3) ? r.pick(LAST) : third ? r.pick(LAST) : f.lastName;
      guardianSeq++;
      const hasEmail = r.chance(0.85);
      let mobile = r.chance(0.9)
        ? `0${r.pick([6, 7])} ${pad(r.int(0, 99), 2)} ${pad(r.int(0, 99), 2)} ${pad(r.int(0, 99), 2)} ${pad(r.int(0, 99), 2)}`
        : null;
      const homePhone = r.chance(0.3)
        ? `01 ${pad(r.int(40, 64), 2)} ${pad(r.int(0, 99), 2)} ${pad(r.int(0, 99), 2)} ${pad(r.int(0, 99), 2)}`
        : null;
      if (!hasEmail && !mobile && !homePhone)
        mobile = `06 ${pad(r.int(0, 99), 2)} ${pad(r.int(0, 99), 2)} ${pad(r.int(0, 99), 2)} ${pad(r.int(0, 99), 2)}`;
      const g: Guardian = {
        id: ids.uuid(),
        key: `R${pad(guardianSeq, 7)}`,
        login: '',
        firstName: r.pick(female ? FIRST_F : FIRST_M),
        lastName,
        title: female ? 'Mme' : 'M.',
        email: hasEmail ? '' : null,
        mobile,
        homePhone,
        address: third ? `${r.int(1, 180)} ${r.pick(STREETS)}` : address,
        commune,
        students: f.students,
      };
      guardians.push(g);
      for (const s of f.students) {
        s.guardians.push({
          guardian: g,
          relation: third ? '50' : mother ? '20' : '10',
          level: third ? 'in_charge' : 'legal',
          payer: k === 0,
        });
      }
    }
  });

  // Two people with the same names and birth date would be reported as one person twice (DUPLICATE_PERSON):
  // real académies have a few, generated ones should import cleanly. Move the birth date by a day.
  const identities = new Set<string>();
  for (const p of [...staff, ...students]) {
    const names = `${fold(p.firstName)}|${fold(p.lastName)}`;
    while (identities.has(`${names}|${p.birthDate}`)) {
      const d = new Date(`${p.birthDate}T00:00:00Z`);
      const year = d.getUTCFullYear();
      d.setUTCDate(d.getUTCDate() + 1);
      if (d.getUTCFullYear() !== year) d.setUTCMonth(0, 1);
      p.birthDate = d.toISOString().slice(0, 10);
    }
    identities.add(`${names}|${p.birthDate}`);
  }

  // Logins as the platform allocates them (prenom.nom, numbered on collision); e-mails from them.
  const taken = new Set<string>();
  for (const s of staff) {
    s.login = allocateLogin(baseLogin(s.firstName, s.lastName), taken);
    s.email = `${s.login}@ac-creteil.fr`;
  }
  for (const s of students) s.login = allocateLogin(baseLogin(s.firstName, s.lastName), taken);
  for (const g of guardians) {
    g.login = allocateLogin(baseLogin(g.firstName, g.lastName), taken);
    if (g.email !== null) g.email = `${g.login}@example.fr`;
  }

  const usedSubjects = new Set<SubjectKey>();
  for (const s of staff) for (const a of s.assignments) usedSubjects.add(a.subject);
  const usedLevels = new Map<string, Level>();
  for (const e of establishments) for (const c of e.classes) usedLevels.set(c.level.mef, c.level);

  return {
    seed: options.seed,
    code: 'CRETEIL',
    name: 'Académie de Créteil',
    date,
    schoolYear,
    establishments,
    students,
    guardians,
    staff,
    subjects: (Object.keys(SUBJECTS) as SubjectKey[])
      .filter((k) => usedSubjects.has(k))
      .map((k) => ({ code: SUBJECTS[k][0], label: SUBJECTS[k][1] }))
      .filter((s, i, all) => all.findIndex((x) => x.code === s.code) === i),
    mefs: [...usedLevels.values()].map((l) => ({ code: l.mef, label: l.mefLabel, level: l.nivFormation })),
  };
}

/** Head counts of a generated académie, for reports. */
export function academyCounts(a: Academy) {
  return {
    establishments: a.establishments.length,
    lycees: a.establishments.filter((e) => e.type === 'LYCEE').length,
    colleges: a.establishments.filter((e) => e.type === 'COLLEGE').length,
    students: a.students.length,
    guardians: a.guardians.length,
    staff: a.staff.length,
    teachers: a.staff.filter((s) => s.assignments.length > 0).length,
    classes: a.establishments.reduce((n, e) => n + e.classes.length, 0),
    groups: a.establishments.reduce((n, e) => n + e.groups.length, 0),
    assignments: a.staff.reduce((n, s) => n + s.assignments.length, 0),
    users: a.students.length + a.guardians.length + a.staff.length,
  };
}

export const establishmentSlug = (e: Establishment) =>
  `${slugify(e.name)}-${slugify(e.commune.name)}-${e.uai.toLowerCase()}`;
