/**
 * The STS-Web ⇄ timetable-software exchange files (see /work/shared/reference/sts-edt.md):
 * `sts_emp.xml` (root `STS_EDT`: the establishment, subjects, staff) and `emp_sts.xml` (root `EDT_STS`: day
 * hours, week patterns, rooms, and the courses of each division and group). Files are recognised by their root
 * element, not their name. A course = division or group × subject × teachers × weekday × start × duration × room ×
 * week pattern; teachers listed with the same course of one service teach it together (co-teaching).
 */
import type { TimetableAnomaly } from '@preau/contracts';
import { hhmm, minutesOf, mondayOf, timeOfMinutes } from '../calendar.ts';
import {
  assignKeys,
  describe,
  frenchTime,
  type ImportedCourse,
  type TeacherRef,
  type TimetableSet,
  WEEKDAYS,
} from './model.ts';
import { all, one, path, textOf, type XmlElement } from './xml.ts';

export type StsRoot = 'STS_EDT' | 'EDT_STS';

/** `0800` → `08:00`; null when it is not a time. */
function time4(v: string): string | null {
  const m = /^(\d{1,2}):?(\d{2})$/.exec(v.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? timeOfMinutes(h * 60 + min) : null;
}

interface Nomenclatures {
  uai: string | null;
  subjects: Map<string, string>;
  teachers: Map<string, TeacherRef>;
}

function readStsEmp(root: XmlElement): Nomenclatures {
  const subjects = new Map<string, string>();
  for (const m of all(path(root, 'NOMENCLATURES/MATIERES'), 'MATIERE')) {
    const code = m.attrs.CODE ?? '';
    const label = textOf(m, 'LIBELLE_EDITION') || textOf(m, 'LIBELLE_LONG') || textOf(m, 'LIBELLE_COURT');
    if (code) subjects.set(code, label);
  }
  const teachers = new Map<string, TeacherRef>();
  for (const i of all(path(root, 'DONNEES/INDIVIDUS'), 'INDIVIDU')) {
    const id = i.attrs.ID ?? '';
    if (!id) continue;
    const birth = textOf(i, 'DATE_NAISSANCE');
    teachers.set(id, {
      stsId: id,
      lastName: textOf(i, 'NOM_USAGE') || textOf(i, 'NOM_PATRONYMIQUE'),
      firstName: textOf(i, 'PRENOM'),
      birthDate: /^\d{4}-\d{2}-\d{2}$/.test(birth) ? birth : null,
    });
  }
  return { uai: path(root, 'PARAMETRES/UAJ')?.attrs.CODE ?? null, subjects, teachers };
}

/**
 * Read the pair (either may be missing: without `sts_emp.xml` teachers are known by their STS id only and
 * subjects by their code). `files` are the parsed roots with their names.
 */
export function readSts(files: { name: string; root: XmlElement }[]): TimetableSet {
  const anomalies: TimetableAnomaly[] = [];
  const stsEmp = files.find((f) => f.root.name === 'STS_EDT');
  const empSts = files.find((f) => f.root.name === 'EDT_STS');
  const nom: Nomenclatures = stsEmp ? readStsEmp(stsEmp.root) : { uai: null, subjects: new Map(), teachers: new Map() };
  if (!stsEmp)
    anomalies.push({
      code: 'MISSING_STS_EMP',
      message:
        'Le fichier sts_emp.xml (nomenclatures de STS-Web) manque : les enseignants ne sont reconnus que par les imports précédents et les matières par leur code.',
    });
  const set: TimetableSet = { kind: 'sts', uai: nom.uai, patterns: [], rooms: new Set(), courses: [], anomalies };
  if (!empSts) return set;
  const file = empSts.name;
  const data = one(empSts.root, 'DONNEES');
  set.uai = textOf(one(empSts.root, 'PARAMETRES'), 'UAJ') || set.uai;

  // Day hours, per weekday.
  const hours = new Map<number, { start: string; end: string }>();
  for (const h of all(one(data, 'HORAIRES'), 'HORAIRE')) {
    const day = Number(h.attrs.JOUR);
    const start = time4(textOf(h, 'DEBUT_COURS'));
    const end = time4(textOf(h, 'FIN_COURS'));
    if (day >= 1 && day <= 6 && start && end) hours.set(day, { start, end });
  }

  // Week patterns: H (every week) is no pattern at all.
  const patterns = new Map<string, { label: string; weeks: string[] }>();
  for (const a of all(one(data, 'ALTERNANCES'), 'ALTERNANCE')) {
    const code = a.attrs.CODE ?? '';
    if (!code) continue;
    const weeks = all(one(a, 'SEMAINES'), 'DATE_DEBUT_SEMAINE')
      .map((w) => w.text)
      .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))
      .map(mondayOf);
    patterns.set(code, { label: textOf(a, 'LIBELLE') || code, weeks: [...new Set(weeks)].sort() });
  }
  for (const [code, p] of patterns)
    if (code !== 'H') set.patterns.push({ code: code.replace(/^S(?=[A-Z]$)/, ''), label: p.label, weeks: p.weeks });
  const patternCode = (code: string): string | null | undefined => {
    if (code === '' || code === 'H') return null;
    if (!patterns.has(code)) return undefined;
    return code.replace(/^S(?=[A-Z]$)/, '');
  };

  for (const s of all(one(data, 'SALLES_COURS'), 'SALLE_COURS')) if (s.attrs.CODE) set.rooms.add(s.attrs.CODE);

  const structure = one(data, 'STRUCTURE');
  const targets: { kind: 'class' | 'group'; el: XmlElement }[] = [];
  for (const d of all(one(structure, 'DIVISIONS'), 'DIVISION')) {
    targets.push({ kind: 'class', el: d });
    for (const g of all(one(d, 'GROUPES'), 'GROUPE')) targets.push({ kind: 'group', el: g });
  }
  for (const g of all(one(structure, 'GROUPES'), 'GROUPE')) targets.push({ kind: 'group', el: g });

  const courses: Omit<ImportedCourse, 'key'>[] = [];
  const unknownRooms = new Map<string, number>();
  for (const { kind, el } of targets) {
    const code = el.attrs.CODE ?? '';
    if (!code) continue;
    for (const service of all(one(el, 'SERVICES'), 'SERVICE')) {
      const subjectCode = service.attrs.CODE_MATIERE ?? '';
      // The same slot under several teachers of one service: one course, taught together.
      const merged = new Map<string, Omit<ImportedCourse, 'key'>>();
      for (const t of all(one(service, 'ENSEIGNANTS'), 'ENSEIGNANT')) {
        const stsId = t.attrs.ID ?? '';
        const teacher: TeacherRef = nom.teachers.get(stsId) ?? { stsId, lastName: '', firstName: '', birthDate: null };
        for (const c of all(one(t, 'COURS_RATTACHES'), 'COURS')) {
          const weekday = Number(textOf(c, 'JOUR'));
          const start = time4(textOf(c, 'HEURE_DEBUT'));
          const duration = time4(textOf(c, 'DUREE'));
          const room = textOf(c, 'CODE_SALLE') || null;
          const base = {
            target: { kind, code },
            subjectCode,
            subjectLabel: nom.subjects.get(subjectCode) ?? null,
            weekday,
            start: start ?? '00:00',
          };
          if (!(weekday >= 1 && weekday <= 6) || !start || !duration || minutesOf(duration) === 0) {
            anomalies.push({
              code: 'MALFORMED_COURSE',
              message: `Cours illisible (${code}, matière ${subjectCode}, jour « ${textOf(c, 'JOUR')} », début « ${textOf(c, 'HEURE_DEBUT')} », durée « ${textOf(c, 'DUREE')} ») : cours ignoré.`,
              file,
              line: c.line,
            });
            continue;
          }
          const end = timeOfMinutes(minutesOf(start) + minutesOf(duration));
          const day = hours.get(weekday);
          if (day && (start < day.start || end > day.end)) {
            anomalies.push({
              code: 'START_OUTSIDE_DAY',
              message: `Cours hors des horaires du ${WEEKDAYS[weekday]} (${frenchTime(day.start)} – ${frenchTime(day.end)}) : ${describe(base)} – ${frenchTime(end)} : cours ignoré.`,
              file,
              line: c.line,
            });
            continue;
          }
          const altCode = textOf(c, 'CODE_ALTERNANCE');
          const pattern = patternCode(altCode);
          if (pattern === undefined) {
            anomalies.push({
              code: 'UNKNOWN_WEEK_PATTERN',
              message: `Alternance de semaines inconnue « ${altCode} » : ${describe(base)} : cours ignoré.`,
              file,
              line: c.line,
            });
            continue;
          }
          if (room && set.rooms.size > 0 && !set.rooms.has(room))
            unknownRooms.set(room, (unknownRooms.get(room) ?? 0) + 1);
          const k = `${weekday}|${start}|${end}|${pattern ?? ''}|${room ?? ''}`;
          const existing = merged.get(k);
          if (existing) {
            if (!existing.teachers.some((x) => x.stsId === teacher.stsId)) existing.teachers.push(teacher);
          } else
            merged.set(k, { ...base, start, end: hhmm(end), room, pattern, teachers: [teacher], file, line: c.line });
        }
      }
      courses.push(...merged.values());
    }
  }
  for (const [room, n] of unknownRooms)
    anomalies.push({
      code: 'UNKNOWN_ROOM',
      message: `Salle « ${room} » absente de la liste des salles du fichier (${n} cours) : les cours sont importés avec ce nom de salle.`,
      file,
    });
  set.courses = assignKeys(courses);
  return set;
}
