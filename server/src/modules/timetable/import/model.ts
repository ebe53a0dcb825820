import type { TimetableAnomaly } from '@preau/contracts';

/** A teacher as the files name them. */
export interface TeacherRef {
  /** The STS-Web individual id (`INDIVIDU/@ID`), when the files carry it. */
  stsId: string | null;
  lastName: string;
  firstName: string;
  birthDate: string | null;
}

/** One course as the files describe it, before matching it to the directory. */
export interface ImportedCourse {
  /** Stable across imports of the same timetable (an updated course keeps its id, and its logbook). */
  key: string;
  target: { kind: 'class' | 'group'; code: string };
  subjectCode: string;
  subjectLabel: string | null;
  teachers: TeacherRef[];
  weekday: number;
  start: string;
  end: string;
  room: string | null;
  /** Week pattern code; null for every week. */
  pattern: string | null;
  file: string;
  line: number;
}

export interface TimetableSet {
  kind: 'sts' | 'csv';
  /** The establishment the files are about (STS: `UAJ`). */
  uai: string | null;
  patterns: { code: string; label: string; weeks: string[] }[];
  rooms: Set<string>;
  courses: ImportedCourse[];
  /** Findings of the reading itself (a course outside the day's hours, an unknown week pattern…). */
  anomalies: TimetableAnomaly[];
}

export const WEEKDAYS = ['', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];

/** `8 h 00` */
export const frenchTime = (t: string) => `${Number(t.slice(0, 2))} h ${t.slice(3, 5)}`;

/** « 2NDE1, Mathématiques, lundi 8 h 00 » */
export const describe = (c: Pick<ImportedCourse, 'target' | 'subjectCode' | 'subjectLabel' | 'weekday' | 'start'>) =>
  `${c.target.code}, ${c.subjectLabel ?? c.subjectCode}, ${WEEKDAYS[c.weekday]} ${frenchTime(c.start)}`;

export const teacherName = (t: TeacherRef) =>
  `${t.lastName.toUpperCase()} ${t.firstName}`.trim() || (t.stsId ? `n° ${t.stsId}` : '?');

/** The stable keys: target, subject, weekday, start, pattern, and a rank among courses sharing all of these. */
export function assignKeys(courses: Omit<ImportedCourse, 'key'>[]): ImportedCourse[] {
  const base = (c: Omit<ImportedCourse, 'key'>) =>
    `${c.target.kind}:${c.target.code.toUpperCase()}|${c.subjectCode}|${c.weekday}|${c.start}|${c.pattern ?? '*'}`;
  const sorted = [...courses].sort((a, b) => {
    const ka = base(a);
    const kb = base(b);
    return ka !== kb ? (ka < kb ? -1 : 1) : (a.room ?? '').localeCompare(b.room ?? '');
  });
  const seen = new Map<string, number>();
  return sorted.map((c) => {
    const k = base(c);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return { ...c, key: n === 0 ? k : `${k}#${n}` };
  });
}
