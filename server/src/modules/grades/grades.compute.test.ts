import { describe, expect, test } from 'vitest';
import { overallOf, periodOf, periodsOf, round2, roundedStats, subjectAverages } from './grades.compute.ts';

/** The arithmetic against values computed by hand (the comments show the sums). */
describe('averages with coefficients and codes', () => {
  const assessments = [
    { id: 'a1', subjectCode: 'MATHS', coefficient: 2, scale: 20 },
    { id: 'a2', subjectCode: 'MATHS', coefficient: 1, scale: 10 },
    { id: 'a3', subjectCode: 'MATHS', coefficient: 3, scale: 20 },
    { id: 'a4', subjectCode: 'MATHS', coefficient: 0.5, scale: 40 },
    { id: 'a5', subjectCode: 'MATHS', coefficient: 1, scale: 20 },
    { id: 'a6', subjectCode: 'MATHS', coefficient: 0, scale: 20 },
    { id: 'f1', subjectCode: 'FR', coefficient: 1, scale: 20 },
    { id: 'f2', subjectCode: 'FR', coefficient: 2, scale: 20 },
  ];
  const g = (
    assessmentId: string,
    studentId: string,
    value: number | null,
    code: null | 'absent' | 'exempt' | 'not_handed_in' = null,
  ) => ({
    assessmentId,
    studentId,
    value,
    code,
  });
  const grades = [
    g('a1', 'emma', 15), // 15/20 × 2
    g('a2', 'emma', 8), // 8/10 = 16/20 × 1
    g('a3', 'emma', null, 'absent'), // left out
    g('a4', 'emma', 30), // 30/40 = 15/20 × 0.5
    g('a5', 'emma', null, 'not_handed_in'), // left out, or 0 × 1
    g('a6', 'emma', 2), // coefficient 0: counts for nothing
    g('f1', 'emma', 12),
    g('f2', 'emma', null, 'exempt'),
    g('a1', 'hugo', 9),
    g('a3', 'hugo', 11),
    g('f1', 'hugo', null, 'absent'),
  ];

  test('codes left out: (15×2 + 16×1 + 15×0.5) / 3.5 = 15.2857…', () => {
    const m = subjectAverages(assessments, grades, false);
    expect(round2(m.get('emma')!.get('MATHS')!)).toBe(15.29);
    expect(m.get('emma')!.get('FR')).toBe(12);
    // (9×2 + 11×3) / 5 = 10.2
    expect(round2(m.get('hugo')!.get('MATHS')!)).toBe(10.2);
    // Hugo's only French grade is a code: no average, not a zero.
    expect(m.get('hugo')!.get('FR')).toBeNull();
    // Overall: (15.2857… + 12) / 2 = 13.642…
    expect(round2(overallOf(m.get('emma')!.values())!)).toBe(13.64);
    expect(overallOf(m.get('hugo')!.values())).toBe(10.2);
  });

  test('« non rendu » counting as zero: 53.5 / 4.5 = 11.888…', () => {
    const m = subjectAverages(assessments, grades, true);
    expect(round2(m.get('emma')!.get('MATHS')!)).toBe(11.89);
  });

  test('class statistics over the students with an average', () => {
    expect(roundedStats([15.2857, 10.2, null])).toEqual({ mean: 12.74, min: 10.2, max: 15.29 });
    expect(roundedStats([])).toEqual({ mean: null, min: null, max: null });
    expect(round2(1.005)).toBe(1.01);
    expect(round2(12.345)).toBe(12.35);
  });
});

describe('periods', () => {
  test('trimesters and semesters of 2026-2027', () => {
    expect(periodsOf('trimester', '2026-09-01', '2027-07-04')).toEqual([
      { key: 'T1', label: '1er trimestre', from: '2026-09-01', to: '2026-11-30' },
      { key: 'T2', label: '2e trimestre', from: '2026-12-01', to: '2027-02-28' },
      { key: 'T3', label: '3e trimestre', from: '2027-03-01', to: '2027-07-04' },
    ]);
    expect(periodsOf('trimester', '2027-09-01', '2028-07-04')[1]!.to).toBe('2028-02-29');
    const s = periodsOf('semester', '2026-09-01', '2027-07-04');
    expect(s.map((p) => [p.key, p.from, p.to])).toEqual([
      ['S1', '2026-09-01', '2027-01-31'],
      ['S2', '2027-02-01', '2027-07-04'],
    ]);
    expect(periodOf(s, '2027-01-31').key).toBe('S1');
    expect(periodOf(s, '2027-02-01').key).toBe('S2');
  });
});
