/**
 * The arithmetic of grades, pure functions (tested against hand-computed values in grades.compute.test.ts):
 * periods from the school year, averages out of 20 with coefficients and codes, class statistics.
 *
 * - A grade counts as value / scale × 20, weighted by its assessment's coefficient.
 * - Codes are left out of averages: absent, exempt, and « non rendu » — unless the establishment says a « non
 *   rendu » counts as zero. An assessment of coefficient 0 counts for nothing.
 * - A subject average is Σ(coefficient × grade on 20) / Σ coefficients over the student's grades of that subject.
 * - The overall average is the plain mean of the subject averages.
 * - A class average (and its minimum and maximum) is over the students' averages, the students with none left out.
 * - Shown values are rounded to two decimals (half up), never before the end of a computation.
 */
import type { GradeCode, Period, PeriodKey } from '@preau/contracts';

export type PeriodKind = 'trimester' | 'semester';

const LABELS: Record<PeriodKey, string> = {
  T1: '1er trimestre',
  T2: '2e trimestre',
  T3: '3e trimestre',
  S1: '1er semestre',
  S2: '2nd semestre',
};

const lastOfFebruary = (year: number) => (new Date(Date.UTC(year, 2, 0)).getUTCDate() === 29 ? '29' : '28');

/**
 * The periods of a school year: trimesters end on 30 November and on the last day of February; semesters on
 * 31 January. (Most establishments' conseils de classe follow these; the boundaries are not set per establishment yet.)
 */
export function periodsOf(kind: PeriodKind, startsOn: string, endsOn: string): Period[] {
  const y = Number(startsOn.slice(0, 4));
  if (kind === 'semester')
    return [
      { key: 'S1', label: LABELS.S1, from: startsOn, to: `${y + 1}-01-31` },
      { key: 'S2', label: LABELS.S2, from: `${y + 1}-02-01`, to: endsOn },
    ];
  return [
    { key: 'T1', label: LABELS.T1, from: startsOn, to: `${y}-11-30` },
    { key: 'T2', label: LABELS.T2, from: `${y}-12-01`, to: `${y + 1}-02-${lastOfFebruary(y + 1)}` },
    { key: 'T3', label: LABELS.T3, from: `${y + 1}-03-01`, to: endsOn },
  ];
}

/** The period holding a date (the last one after the year, the first before it). */
export function periodOf(periods: Period[], date: string): Period {
  return (
    periods.find((p) => date >= p.from && date <= p.to) ?? (date < periods[0]!.from ? periods[0]! : periods.at(-1)!)
  );
}

export const round2 = (x: number) => Math.round((x + Number.EPSILON) * 100) / 100;

export interface AssessmentFacts {
  id: string;
  subjectCode: string;
  coefficient: number;
  scale: number;
}

export interface GradeFacts {
  assessmentId: string;
  studentId: string;
  value: number | null;
  code: GradeCode | null;
}

/** A grade's points out of 20, or null when it is left out of averages. */
export function pointsOn20(g: Pick<GradeFacts, 'value' | 'code'>, scale: number, notHandedInZero: boolean) {
  if (g.value !== null) return (g.value / scale) * 20;
  if (g.code === 'not_handed_in' && notHandedInZero) return 0;
  return null;
}

/** Each student's average per subject (unrounded), out of 20; a subject with nothing counted is null. */
export function subjectAverages(
  assessments: Iterable<AssessmentFacts>,
  grades: Iterable<GradeFacts>,
  notHandedInZero: boolean,
): Map<string, Map<string, number | null>> {
  const byId = new Map<string, AssessmentFacts>();
  for (const a of assessments) byId.set(a.id, a);
  const sums = new Map<string, Map<string, { points: number; weight: number }>>();
  for (const g of grades) {
    const a = byId.get(g.assessmentId);
    if (!a) continue;
    const perStudent = sums.get(g.studentId) ?? new Map<string, { points: number; weight: number }>();
    sums.set(g.studentId, perStudent);
    const acc = perStudent.get(a.subjectCode) ?? { points: 0, weight: 0 };
    perStudent.set(a.subjectCode, acc);
    const p = pointsOn20(g, a.scale, notHandedInZero);
    if (p === null || a.coefficient <= 0) continue;
    acc.points += p * a.coefficient;
    acc.weight += a.coefficient;
  }
  const out = new Map<string, Map<string, number | null>>();
  for (const [student, perSubject] of sums) {
    const m = new Map<string, number | null>();
    for (const [subject, acc] of perSubject) m.set(subject, acc.weight > 0 ? acc.points / acc.weight : null);
    out.set(student, m);
  }
  return out;
}

/** The plain mean of some subject averages (those not null). */
export function overallOf(averages: Iterable<number | null>): number | null {
  const xs = [...averages].filter((x): x is number => x !== null);
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
}

/** Mean, minimum and maximum of some numbers (nulls left out), unrounded. */
export function stats(values: Iterable<number | null>): {
  mean: number | null;
  min: number | null;
  max: number | null;
} {
  const xs = [...values].filter((x): x is number => x !== null);
  if (xs.length === 0) return { mean: null, min: null, max: null };
  return { mean: xs.reduce((s, x) => s + x, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) };
}

/** `stats` rounded for display. */
export function roundedStats(values: Iterable<number | null>) {
  const s = stats(values);
  return {
    mean: s.mean === null ? null : round2(s.mean),
    min: s.min === null ? null : round2(s.min),
    max: s.max === null ? null : round2(s.max),
  };
}
