/**
 * The in-memory picture of one import, whatever its source (AAF files or CSV files): what the files say,
 * keyed by external join key. Readers (aaf-reader, csv-reader) fill it; the resolver links it to the
 * database; the writer applies it. No I/O here.
 */
import type { AnomalyParams, ImportAnomaly } from '../aaf/values.ts';

export type { AnomalyParams, ImportAnomaly } from '../aaf/values.ts';

/** Where a piece of information comes from, for the report. */
export interface Origin {
  file: string;
  /** AAF: 1-based request number; CSV: 1-based line. */
  record: number | null;
  line?: number;
}

/** The account columns an import can set. A person carries only the columns its source provided. */
export const PERSON_COLUMNS = [
  'last_name',
  'first_name',
  'birth_date',
  'email',
  'title',
  'ine',
  'phone_home',
  'phone_work',
  'phone_mobile',
  'address',
  'consents',
] as const;
export type PersonColumn = (typeof PERSON_COLUMNS)[number];

export interface PostalAddressIn {
  lines: string[];
  postalCode: string | null;
  city: string | null;
  country: string | null;
}

export type PersonValues = {
  [K in PersonColumn]?: K extends 'address'
    ? PostalAddressIn | null
    : K extends 'consents'
      ? Record<string, string>
      : string | null;
};

export type StaffProfile = 'teacher' | 'staff' | 'principal';
export type GuardianLevel = 'legal' | 'in_charge';

export interface StructureRef {
  structureKey: string;
  code: string;
}

export interface PersonIn {
  key: string;
  origin: Origin;
  /** Provided columns only: a delta's modify request carries a few; an add carries all (null = empty). */
  values: PersonValues;
  /** Structures the person is attached to (`ENTPersonStructRattach`), undefined when not provided. */
  structures?: string[];
}

export interface GuardianLinkIn {
  guardianKey: string;
  level: GuardianLevel;
  relation: string | null;
}

export interface StudentIn extends PersonIn {
  /** Undefined: not provided (a delta that does not touch the classes). */
  classes?: StructureRef[];
  groups?: StructureRef[];
  mef?: string | null;
  guardians?: GuardianLinkIn[];
}

export interface GuardianIn extends PersonIn {
  /** Keys of the students this person is responsible for, when provided. */
  students?: string[];
  /** CSV: children named rather than keyed, resolved against the establishment's students. */
  namedChildren?: { lastName?: string; firstName?: string; class?: string; origin: Origin }[];
  level?: GuardianLevel;
  relation?: string | null;
}

export interface AssignmentIn {
  structureKey: string;
  code: string;
  subjectCode: string;
}

export interface StaffIn extends PersonIn {
  /**
   * Profiles per structure with the function codes behind them, and their label (`position`: "CONSEILLER
   * PRINCIPAL D'EDUCATION"; null when the feed names none, undefined when it does not say).
   */
  profiles: { structureKey: string; profile: StaffProfile; functions: string[]; position?: string | null }[];
  /** True when the functions were provided: the person's staff profiles are then replaced, not added to. */
  profilesProvided: boolean;
  classAssignments?: AssignmentIn[];
  groupAssignments?: AssignmentIn[];
  headTeacherOf?: StructureRef[];
}

export interface StructureIn {
  key: string;
  origin: Origin;
  uai: string | null;
  name: string | null;
  type: string | null;
  academy: string | null;
  city: string | null;
  classes: { code: string; label: string }[];
  groups: { code: string; label: string }[];
}

export type PersonKind = 'student' | 'guardian' | 'staff';
export type AafPersonFileType = 'Eleve' | 'PersRelEleve' | 'PersEducNat';

export interface ImportSet {
  kind: 'aaf' | 'csv';
  structures: Map<string, StructureIn>;
  students: Map<string, StudentIn>;
  guardians: Map<string, GuardianIn>;
  staff: Map<string, StaffIn>;
  subjects: Map<string, { label: string | null; origin: Origin }>;
  mefs: Map<string, { label: string | null; level: string | null; origin: Origin }>;
  /** Delete requests of persons, by key, with the kind of record that asked. */
  deletes: Map<string, { kind: PersonKind; origin: Origin }>;
  /** Person file types present as full exports (`_Complet_`): their structures' absentees get detached. */
  fullTypes: Set<AafPersonFileType>;
  /** CSV: subject labels (folded) the teachers' rows name, resolved against the subject table. */
  subjectLabels: Map<string, { label: string; origin: Origin }>;
  /** CSV: rows refused before any matching (no surname): listed in the report's rows. */
  refused: { kind: PersonKind; name: string; origin: Origin }[];
  anomalies: ImportAnomaly[];
}

export function emptySet(kind: 'aaf' | 'csv'): ImportSet {
  return {
    kind,
    structures: new Map(),
    students: new Map(),
    guardians: new Map(),
    staff: new Map(),
    subjects: new Map(),
    mefs: new Map(),
    deletes: new Map(),
    fullTypes: new Set(),
    subjectLabels: new Map(),
    refused: [],
    anomalies: [],
  };
}

/** A failure that stops the whole import before anything is written (broken file, unusable mapping). */
export class ImportInputError extends Error {
  readonly anomalies: ImportAnomaly[];
  constructor(anomalies: ImportAnomaly[]) {
    super(anomalies.map((a) => a.message).join('; '));
    this.name = 'ImportInputError';
    this.anomalies = anomalies;
  }
}

/** Lower case, accents and punctuation stripped: the comparison key of names. */
export function foldName(s: string | null | undefined): string {
  return (s ?? '')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * One anomaly of the report. `message` is the English detail (CLI, logs); `params` the values it is made of, for
 * the web to word it by `code` (and `params.variant` when the code has several messages).
 */
export function anomaly(
  code: string,
  message: string,
  origin: Origin,
  key?: string,
  params?: AnomalyParams,
): ImportAnomaly {
  const a: ImportAnomaly = { code, message, file: origin.file, record: origin.record };
  if (key !== undefined) a.key = key;
  if (origin.line !== undefined) a.line = origin.line;
  a.params = params ?? {};
  return a;
}
