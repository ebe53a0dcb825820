/**
 * The CSV fallback, for timetable programs that do not export the STS-Web files: one line per course, read
 * with the directory's CSV reader (UTF-8 or windows-1252, `;` `,` or tab, detected). Columns, by header
 * (case and accents ignored):
 *
 *   classe ; groupe ; matiere ; enseignants ; jour ; debut ; fin ; salle ; semaine
 *
 * `classe` or `groupe` (one of them), `matiere` a BCN code (061300) or a label, `enseignants` « NOM Prénom »
 * separated by « / », `jour` 1–6 or lundi…samedi, `debut`/`fin` 08:00 or 8h00, `semaine` empty or H for every
 * week, A or B for alternating weeks (created from the school year when missing).
 */
import type { TimetableAnomaly } from '@preau/contracts';
import { CsvParseError, CsvRecordReader, foldName } from '../../directory/index.ts';
import { timeOfMinutes } from '../calendar.ts';
import { assignKeys, type ImportedCourse, type TeacherRef, type TimetableSet, WEEKDAYS } from './model.ts';

const COLUMNS = {
  classe: 'class',
  division: 'class',
  groupe: 'group',
  matiere: 'subject',
  discipline: 'subject',
  enseignant: 'teachers',
  enseignants: 'teachers',
  professeur: 'teachers',
  professeurs: 'teachers',
  jour: 'day',
  debut: 'start',
  heuredebut: 'start',
  fin: 'end',
  heurefin: 'end',
  salle: 'room',
  semaine: 'week',
  alternance: 'week',
} as const;
type Column = (typeof COLUMNS)[keyof typeof COLUMNS];

export class CsvTimetableError extends Error {
  readonly line: number | null;
  constructor(reason: string, line: number | null) {
    super(reason);
    this.line = line;
  }
}

function time(v: string): string | null {
  const m = /^(\d{1,2})\s*[:hH]\s*(\d{2})?$/.exec(v.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2] ?? 0);
  return h < 24 && min < 60 ? timeOfMinutes(h * 60 + min) : null;
}

function day(v: string): number | null {
  const t = foldName(v);
  if (/^[1-6]$/.test(t)) return Number(t);
  const i = WEEKDAYS.findIndex((d) => d && foldName(d) === t);
  return i >= 1 && i <= 6 ? i : null;
}

function teacher(v: string): TeacherRef {
  const parts = v.trim().split(/\s+/);
  // « NOM Prénom »: the upper-case words are the family name.
  const split = parts.findIndex((p) => p !== p.toUpperCase());
  const last = split <= 0 ? parts.slice(0, -1) : parts.slice(0, split);
  const first = split <= 0 ? parts.slice(-1) : parts.slice(split);
  return { stsId: null, lastName: last.join(' ') || v.trim(), firstName: first.join(' '), birthDate: null };
}

export function readCsv(name: string, bytes: Buffer): TimetableSet {
  const reader = new CsvRecordReader(name);
  let records: { cells: string[]; line: number }[];
  try {
    records = [...reader.push(bytes), ...reader.end()];
  } catch (e) {
    if (e instanceof CsvParseError)
      throw new CsvTimetableError(
        e.code === 'EMPTY_FILE' ? 'le fichier est vide' : 'les lignes ne peuvent pas être découpées en colonnes',
        e.line,
      );
    throw e;
  }
  const [header, ...rows] = records;
  if (!header) throw new CsvTimetableError('le fichier est vide', null);
  const columns = header.cells.map((h) => COLUMNS[foldName(h) as keyof typeof COLUMNS] ?? null);
  const has = (c: Column) => columns.includes(c);
  const missing = (['subject', 'day', 'start', 'end'] as Column[]).filter((c) => !has(c));
  if (!has('class') && !has('group')) missing.unshift('class');
  if (missing.length)
    throw new CsvTimetableError(
      `colonnes manquantes dans l’en-tête (ligne 1) : ${missing.map((c) => Object.entries(COLUMNS).find(([, v]) => v === c)![0]).join(', ')}`,
      1,
    );
  const anomalies: TimetableAnomaly[] = [];
  const courses: Omit<ImportedCourse, 'key'>[] = [];
  const patterns = new Set<string>();
  for (const r of rows) {
    const get = (c: Column) => (r.cells[columns.indexOf(c)] ?? '').trim();
    const klass = get('class');
    const group = get('group');
    const start = time(get('start'));
    const end = time(get('end'));
    const weekday = day(get('day'));
    const subject = get('subject');
    const week = get('week').toUpperCase();
    const bad = (why: string) =>
      anomalies.push({
        code: 'MALFORMED_LINE',
        message: `Ligne ${r.line} : ${why} : ligne ignorée.`,
        file: name,
        line: r.line,
      });
    if (!klass && !group) {
      bad('ni classe ni groupe');
      continue;
    }
    if (!subject) {
      bad('matière absente');
      continue;
    }
    if (!weekday) {
      bad(`jour « ${get('day')} » illisible (1 à 6, ou lundi à samedi)`);
      continue;
    }
    if (!start || !end || end <= start) {
      bad(`horaires « ${get('start')} – ${get('end')} » illisibles`);
      continue;
    }
    const pattern = week === '' || week === 'H' ? null : week.replace(/^S(?=[A-Z]$)/, '');
    if (pattern) patterns.add(pattern);
    courses.push({
      target: group ? { kind: 'group', code: group } : { kind: 'class', code: klass },
      subjectCode: subject,
      subjectLabel: null,
      teachers: get('teachers')
        .split('/')
        .map((t) => t.trim())
        .filter(Boolean)
        .map(teacher),
      weekday,
      start,
      end,
      room: get('room') || null,
      pattern,
      file: name,
      line: r.line,
    });
  }
  return {
    kind: 'csv',
    uai: null,
    // Patterns named in a CSV file get their weeks from the school year (A/B alternate) when they are new.
    patterns: [...patterns].map((code) => ({ code, label: `Semaine ${code}`, weeks: [] })),
    rooms: new Set(),
    courses: assignKeys(courses),
    anomalies,
  };
}
