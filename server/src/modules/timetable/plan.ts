/**
 * A plausible weekly timetable built from teaching assignments, for the demo académie and the bench's generated
 * one (no timetable program there): each class gets its subjects' weekly hours spread over the week's slots,
 * with no class and no teacher in two places at once; groups share reserved slots; some hours run on alternate
 * weeks (A/B). Deterministic for a given random stream. Pure: no database.
 */

export const PLAN_SLOTS = [
  { code: 'M1', start: '08:00', end: '08:55' },
  { code: 'M2', start: '08:55', end: '09:50' },
  { code: 'M3', start: '10:05', end: '11:00' },
  { code: 'M4', start: '11:00', end: '11:55' },
  { code: 'S1', start: '13:30', end: '14:25' },
  { code: 'S2', start: '14:25', end: '15:20' },
  { code: 'S3', start: '15:35', end: '16:30' },
  { code: 'S4', start: '16:30', end: '17:25' },
];

/** Weekly hours of a subject for a class: every week, plus an hour on A (or B) weeks. */
export interface Hours {
  weekly: number;
  alternate: 'A' | 'B' | null;
}

const LYCEE: Record<string, Record<string, Hours>> = {
  '2': {
    '020100': { weekly: 4, alternate: null },
    '061300': { weekly: 4, alternate: null },
    '040300': { weekly: 3, alternate: null },
    '030201': { weekly: 3, alternate: null },
    '030602': { weekly: 2, alternate: 'A' },
    '063800': { weekly: 3, alternate: null },
    '062900': { weekly: 1, alternate: 'B' },
    '100100': { weekly: 2, alternate: null },
    '060600': { weekly: 1, alternate: 'A' },
  },
  '1': {
    '020100': { weekly: 4, alternate: null },
    '061300': { weekly: 2, alternate: null },
    '040300': { weekly: 3, alternate: null },
    '030201': { weekly: 2, alternate: 'B' },
    '030602': { weekly: 2, alternate: null },
    '063800': { weekly: 2, alternate: null },
    '062900': { weekly: 1, alternate: 'A' },
    '100100': { weekly: 2, alternate: null },
    '060600': { weekly: 1, alternate: null },
  },
  T: {
    '050100': { weekly: 4, alternate: null },
    '061300': { weekly: 2, alternate: null },
    '040300': { weekly: 3, alternate: null },
    '030201': { weekly: 2, alternate: 'A' },
    '030602': { weekly: 2, alternate: null },
    '063800': { weekly: 2, alternate: null },
    '062900': { weekly: 1, alternate: null },
    '100100': { weekly: 2, alternate: null },
    '060600': { weekly: 1, alternate: 'B' },
  },
};

const COLLEGE: Record<string, Hours> = {
  '020100': { weekly: 4, alternate: 'A' },
  '061300': { weekly: 4, alternate: null },
  '040300': { weekly: 3, alternate: null },
  '030201': { weekly: 3, alternate: null },
  '063800': { weekly: 1, alternate: 'B' },
  '062900': { weekly: 1, alternate: 'A' },
  '100100': { weekly: 3, alternate: null },
  '080100': { weekly: 1, alternate: null },
  '083500': { weekly: 1, alternate: null },
  '072000': { weekly: 1, alternate: 'B' },
};

/** Hours per subject by class code (`2NDE1`, `1G3`, `TG2`, `6A`…), for the programmes of the demo. */
export function hoursFor(classCode: string, subject: string, college: boolean): Hours | null {
  if (college) return COLLEGE[subject] ?? null;
  return (
    LYCEE[classCode[0] === '2' ? '2' : classCode[0] === '1' ? '1' : 'T']?.[subject] ?? { weekly: 2, alternate: null }
  );
}

export interface PlanInput {
  classes: { id: string; code: string }[];
  groups: { id: string; code: string }[];
  assignments: { teacher_id: string; class_id: string | null; group_id: string | null; subject_code: string }[];
  college: boolean;
  random: () => number;
  /** Teachers' slots already taken (in another establishment): `teacher|weekday|slot`. */
  busy?: Set<string>;
}

export interface PlannedCourse {
  classId: string | null;
  groupId: string | null;
  subject: string;
  teacherId: string;
  weekday: number;
  slot: number;
  pattern: 'A' | 'B' | null;
  room: string;
}

const ROOMS: Record<string, string> = { '100100': 'Gymnase', '063800': 'Labo 1', '062900': 'Labo 2' };

/** The slots of a week: Monday to Friday, no class on Wednesday afternoon. */
const WEEK: { weekday: number; slot: number }[] = [1, 2, 3, 4, 5].flatMap((weekday) =>
  PLAN_SLOTS.map((_, slot) => ({ weekday, slot })).filter((s) => weekday !== 3 || s.slot < 4),
);
/** Groups meet while their students' classes are all free (so these slots are kept for them). */
const GROUP_SLOTS = [
  { weekday: 2, slot: 7 },
  { weekday: 4, slot: 6 },
  { weekday: 4, slot: 7 },
];

export function planTimetable(input: PlanInput): PlannedCourse[] {
  const busy = input.busy ?? new Set<string>();
  const taken = new Set<string>();
  const out: PlannedCourse[] = [];
  const roomOf = new Map<string, string>();
  const room = (teacher: string, subject: string) => {
    if (ROOMS[subject]) return ROOMS[subject]!;
    if (!roomOf.has(teacher)) roomOf.set(teacher, `${String.fromCharCode(65 + (roomOf.size % 3))}${101 + roomOf.size}`);
    return roomOf.get(teacher)!;
  };
  const free = (who: string[], weekday: number, slot: number) =>
    who.every((w) => !taken.has(`${w}|${weekday}|${slot}`) && !busy.has(`${w}|${weekday}|${slot}`));
  const take = (who: string[], weekday: number, slot: number) => {
    for (const w of who) taken.add(`${w}|${weekday}|${slot}`);
  };

  // Groups first, on their reserved slots (one hour a week each, the specialities two).
  input.groups.forEach((g, i) => {
    for (const a of input.assignments.filter((x) => x.group_id === g.id)) {
      const hours = /^SPE/.test(g.code) ? 2 : 1;
      for (let h = 0; h < hours; h++) {
        const s = GROUP_SLOTS[(i + h) % GROUP_SLOTS.length]!;
        if (!free([a.teacher_id], s.weekday, s.slot)) continue;
        take([a.teacher_id], s.weekday, s.slot);
        out.push({
          classId: null,
          groupId: g.id,
          subject: a.subject_code,
          teacherId: a.teacher_id,
          ...s,
          pattern: null,
          room: room(a.teacher_id, a.subject_code),
        });
      }
    }
  });
  const reserved = new Set(input.groups.length ? GROUP_SLOTS.map((s) => `${s.weekday}|${s.slot}`) : []);

  for (const c of input.classes) {
    const units: { subject: string; teacher: string; pattern: 'A' | 'B' | null }[] = [];
    for (const a of input.assignments.filter((x) => x.class_id === c.id)) {
      const h = hoursFor(c.code, a.subject_code, input.college);
      if (!h) continue;
      for (let i = 0; i < h.weekly; i++) units.push({ subject: a.subject_code, teacher: a.teacher_id, pattern: null });
      if (h.alternate) units.push({ subject: a.subject_code, teacher: a.teacher_id, pattern: h.alternate });
    }
    // Big subjects first: they are the hardest to spread.
    units.sort((x, y) => (x.pattern ? 1 : 0) - (y.pattern ? 1 : 0) || x.subject.localeCompare(y.subject));
    const perDay = new Map<string, number>();
    for (const u of units) {
      const candidates = WEEK.filter(
        (s) => !reserved.has(`${s.weekday}|${s.slot}`) && free([c.id, u.teacher], s.weekday, s.slot),
      );
      if (candidates.length === 0) continue;
      // Prefer a day without this subject yet, then mornings, with a little randomness.
      const score = (s: { weekday: number; slot: number }) =>
        (perDay.get(`${u.subject}|${s.weekday}`) ?? 0) * 10 + (s.slot >= 4 ? 1 : 0) + input.random() * 2;
      const best = candidates.reduce((a, b) => (score(b) < score(a) ? b : a));
      take([c.id, u.teacher], best.weekday, best.slot);
      perDay.set(`${u.subject}|${best.weekday}`, (perDay.get(`${u.subject}|${best.weekday}`) ?? 0) + 1);
      out.push({
        classId: c.id,
        groupId: null,
        subject: u.subject,
        teacherId: u.teacher,
        weekday: best.weekday,
        slot: best.slot,
        pattern: u.pattern,
        room: room(u.teacher, u.subject),
      });
    }
  }
  for (const k of taken) busy.add(k);
  return out;
}
