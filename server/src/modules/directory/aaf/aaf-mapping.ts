/**
 * AAF records → typed directory entities (structures, students, guardians, staff, subjects, MEF), with the
 * anomalies each record carries. Pure: links between entities (a student's class existing in its structure,
 * a guardian present in the files…) are checked by the importer, which sees every file.
 * Unknown attributes are ignored silently.
 */
import { isValidUai } from '../../../platform/logins.ts';
import type { AafFileType, AafRecord, AafRequestKind } from './aaf-parser.ts';
import { type AnomalyParams, frenchDateToIso, type ImportAnomaly, splitCompound } from './values.ts';

export type Profile = 'student' | 'guardian' | 'teacher' | 'staff' | 'principal';

export interface CodeLabel {
  code: string;
  label: string;
}

export interface Address {
  lines: string[];
  postalCode: string | null;
  city: string | null;
  country: string | null;
}

export interface AafStructure {
  entity: 'structure';
  key: string;
  uai: string | null;
  name: string | null;
  /** COLLEGE, LYCEE, LP… as sent. */
  type: string | null;
  academy: string | null;
  address: Address;
  city: string | null;
  phone: string | null;
  classes: CodeLabel[];
  groups: CodeLabel[];
}

export interface PersonIdentity {
  key: string;
  lastName: string | null;
  firstName: string | null;
  otherFirstNames: string[];
  /** `personalTitle` as sent: M., Mme, Mlle… */
  title: string | null;
  /** ISO yyyy-mm-dd. */
  birthDate: string | null;
  email: string | null;
  /** `ENTPersonStructRattach`: the structures the person is attached to. */
  structureKeys: string[];
}

export interface StructureCode {
  structureKey: string;
  code: string;
}

export type GuardianLevel = 'legal' | 'in_charge';

export interface StudentGuardianLink {
  guardianKey: string;
  /** Relation code as sent (10 father, 20 mother… in SIECLE), null when unknown. */
  relation: string | null;
  /** 1 → legal representative, 2 → person in charge; null when another value (e.g. 0) or unknown. */
  level: GuardianLevel | null;
  /** Raw `$` fields (ENTElevePersRelEleve) for fields the importer may later need; empty for deprecated attributes. */
  fields: string[];
  source: 'ENTElevePersRelEleve' | 'deprecated';
}

export interface AafStudent extends PersonIdentity {
  entity: 'student';
  ine: string | null;
  classes: StructureCode[];
  groups: StructureCode[];
  mef: string | null;
  mefLabel: string | null;
  teachingCodes: string[];
  guardians: StudentGuardianLink[];
}

export interface Phones {
  home: string | null;
  work: string | null;
  mobile: string | null;
}

export interface AafGuardian extends PersonIdentity {
  entity: 'guardian';
  phones: Phones;
  address: Address;
  studentKeys: string[];
}

export interface StaffFunction {
  structureKey: string;
  code: string;
  label: string | null;
  positionCode: string | null;
  positionLabel: string | null;
  profile: Profile;
}

export interface TeachingAssignment {
  structureKey: string;
  kind: 'class' | 'group';
  /** Class or group code. */
  code: string;
  subjectCode: string;
}

export interface AafStaff extends PersonIdentity {
  entity: 'staff';
  functions: StaffFunction[];
  /** One profile per structure and profile, deduplicated (a teacher with two ENS functions is one teacher). */
  profiles: { structureKey: string; profile: Profile }[];
  assignments: TeachingAssignment[];
  headTeacherOf: StructureCode[];
  /** `PersEducNatPresenceDevantEleves`: O → true, N → false. */
  teachesStudents: boolean | null;
}

export interface AafSubject {
  entity: 'subject';
  key: string;
  code: string;
  label: string | null;
}

export interface AafMef {
  entity: 'mef';
  key: string;
  code: string;
  label: string | null;
  level: string | null;
}

export type AafEntity = AafStructure | AafStudent | AafGuardian | AafStaff | AafSubject | AafMef;
export type AafEntityKind = AafEntity['entity'];

export interface MappedRecord<E extends AafEntity = AafEntity> {
  op: AafRequestKind;
  /** Null when the record's kind could not be told (UNKNOWN_CATEGORY anomaly). */
  entityKind: AafEntityKind | null;
  key: string;
  /** Null for a delete request, or when the record could not be mapped (see anomalies). */
  entity: E | null;
  /** Names of the attributes present in the record: a modify request only updates these. */
  provided: string[];
  anomalies: ImportAnomaly[];
}

export interface MappingContext {
  file: string;
  /** From `fileKind(file).type`: used when the record has no category. */
  fileType?: AafFileType | null;
}

/** Staff function codes (ENTPersonFonctions, second field) → profile. Anything else is staff. */
export const FUNCTION_PROFILES: Record<string, Profile> = {
  DIR: 'principal',
  ENS: 'teacher',
  EDU: 'staff',
  DOC: 'staff',
};

export const USUAL_STRUCTURE_TYPES = new Set([
  'COLLEGE',
  'CLG',
  'LYCEE',
  'LYC',
  'LP',
  'LPO',
  'LGT',
  'LG',
  'LT',
  'LYCEE POLYVALENT',
  'EREA',
  'ERPD',
  'SEP',
  'SEGPA',
  'CFA',
]);

const CATEGORY_TO_KIND: Record<string, AafEntityKind> = {
  EtabEducNat: 'structure',
  Eleve: 'student',
  PersRelEleve: 'guardian',
  PersEducNat: 'staff',
  MatiereEducNat: 'subject',
  MefEducNat: 'mef',
};

class Collector {
  readonly anomalies: ImportAnomaly[] = [];
  readonly record: AafRecord;
  readonly file: string;
  key: string;

  constructor(record: AafRecord, file: string) {
    this.record = record;
    this.file = file;
    this.key = record.id;
  }

  /** Report an anomaly of the record; `params` are the values `message` is made of (see ImportAnomaly). */
  add(code: string, message: string, params?: AnomalyParams): void {
    this.anomalies.push({
      code,
      message: `${message} (request ${this.record.index}, key ${this.key})`,
      file: this.file,
      record: this.record.index,
      key: this.key,
      line: this.record.line,
      params: params ?? {},
    });
  }

  all(name: string): string[] {
    return this.record.attrs[name] ?? [];
  }

  one(...names: string[]): string | null {
    for (const n of names) {
      const v = this.record.attrs[n]?.[0];
      if (v) return v;
    }
    return null;
  }

  date(name: string): string | null {
    const v = this.one(name);
    if (!v) return null;
    const iso = frenchDateToIso(v);
    if (!iso)
      this.add('MALFORMED_DATE', `${name} "${v}" is not a valid dd/mm/yyyy date`, { attribute: name, value: v });
    return iso;
  }

  /** Values `a$b…` with at least `min` non-empty leading fields; others are reported and dropped. */
  compound(name: string, min: number): string[][] {
    const out: string[][] = [];
    for (const v of this.all(name)) {
      const f = splitCompound(v);
      if (f.length < min || f.slice(0, min).some((x) => !x)) {
        this.add('MALFORMED_VALUE', `${name} "${v}" should have at least ${min} $-separated fields`, {
          variant: 'fields',
          attribute: name,
          value: v,
          min,
        });
        continue;
      }
      out.push(f);
    }
    return out;
  }
}

function dedupe<T>(items: T[], keyOf: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = keyOf(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function identity(c: Collector, joinAttr: string): PersonIdentity {
  const join = c.one(joinAttr);
  if (join && join !== c.record.id)
    c.add(
      'MALFORMED_VALUE',
      `${joinAttr} "${join}" differs from the identifier "${c.record.id}"; the identifier is used`,
      { variant: 'joinKey', attribute: joinAttr, value: join, identifier: c.record.id },
    );
  return {
    key: c.key,
    lastName: c.one('sn'),
    firstName: c.one('givenName'),
    otherFirstNames: c.all('ENTPersonAutresPrenoms'),
    title: c.one('personalTitle'),
    birthDate: c.date('ENTPersonDateNaissance'),
    email: c.one('mail'),
    structureKeys: [...new Set(c.all('ENTPersonStructRattach'))],
  };
}

function personAddress(c: Collector): Address {
  return {
    lines: c.all('ENTPersonAdresse'),
    postalCode: c.one('ENTPersonCodePostal'),
    city: c.one('ENTPersonVille'),
    country: c.one('ENTPersonPays'),
  };
}

function codeLabels(c: Collector, name: string): CodeLabel[] {
  return dedupe(
    c.compound(name, 1).map((f) => ({ code: f[0]!, label: f[1] || f[0]! })),
    (x) => x.code,
  );
}

function structureCodes(c: Collector, name: string): StructureCode[] {
  return dedupe(
    c.compound(name, 2).map((f) => ({ structureKey: f[0]!, code: f[1]! })),
    (x) => `${x.structureKey}$${x.code}`,
  );
}

function mapStructureFields(c: Collector): AafStructure {
  const uai = c.one('ENTStructureUAI');
  if (!uai)
    c.add('MISSING_VALUE', 'structure without ENTStructureUAI', { variant: 'uai', attribute: 'ENTStructureUAI' });
  else if (!/^[0-9]{7}[A-Z]$/.test(uai))
    c.add('MALFORMED_VALUE', `UAI "${uai}" is not 7 digits and a letter`, { variant: 'uai', value: uai });
  else if (!isValidUai(uai)) c.add('UAI_CHECK_LETTER', `UAI "${uai}" has a wrong check letter`, { value: uai });
  const type = c.one('ENTStructureTypeStruct');
  if (type && !USUAL_STRUCTURE_TYPES.has(type.toUpperCase()))
    c.add('UNUSUAL_STRUCTURE_TYPE', `structure type "${type}" is not one of the usual types`, { value: type });
  const city = c.one('l', 'ENTStructureVille');
  return {
    entity: 'structure',
    key: c.key,
    uai,
    name: c.one('ENTStructureNomCourant', 'ENTDisplayName', 'ou'),
    type,
    academy: c.one('ENTServAcAcademie'),
    address: { lines: c.all('street'), postalCode: c.one('postalCode'), city, country: null },
    city,
    phone: c.one('telephoneNumber'),
    classes: codeLabels(c, 'ENTStructureClasses'),
    groups: codeLabels(c, 'ENTStructureGroupes'),
  };
}

function guardianLinks(c: Collector): StudentGuardianLink[] {
  const links: StudentGuardianLink[] = [];
  for (const v of c.all('ENTElevePersRelEleve')) {
    const f = splitCompound(v);
    const attribute = 'ENTElevePersRelEleve';
    if (f.length < 4 || !f[0]) {
      c.add('MALFORMED_VALUE', `${attribute} "${v}" should have six $-separated fields`, {
        variant: 'guardianLink',
        attribute,
        value: v,
      });
      continue;
    }
    if (f.length !== 6)
      c.add('MALFORMED_VALUE', `${attribute} "${v}" has ${f.length} fields instead of six`, {
        variant: 'guardianLinkFields',
        attribute,
        value: v,
        fields: f.length,
      });
    const levelCode = f[3]!;
    let level: GuardianLevel | null = null;
    if (levelCode === '1') level = 'legal';
    else if (levelCode === '2') level = 'in_charge';
    else if (levelCode !== '0' && levelCode !== '')
      c.add('MALFORMED_VALUE', `${attribute} "${v}": responsibility level "${levelCode}" is not 1 or 2`, {
        variant: 'guardianLevel',
        attribute,
        value: v,
        level: levelCode,
      });
    links.push({ guardianKey: f[0], relation: f[1] || null, level, fields: f, source: 'ENTElevePersRelEleve' });
  }
  if (links.length) return dedupe(links, (l) => l.guardianKey);
  // Older files: ENTEleveParents (every related parent) and ENTEleveAutoriteParentale (those with authority).
  const parents = c.all('ENTEleveParents');
  const authority = c.all('ENTEleveAutoriteParentale');
  const hasAuthorityAttr = c.record.attrs.ENTEleveAutoriteParentale !== undefined;
  const keys = [...new Set([...authority, ...parents])];
  return keys.map((k) => ({
    guardianKey: k,
    relation: null,
    level: authority.includes(k) || !hasAuthorityAttr ? 'legal' : 'in_charge',
    fields: [],
    source: 'deprecated',
  }));
}

function mapStudentFields(c: Collector, op: AafRequestKind): AafStudent {
  const student: AafStudent = {
    entity: 'student',
    ...identity(c, 'ENTPersonJointure'),
    ine: c.one('ENTEleveINE'),
    classes: structureCodes(c, 'ENTEleveClasses'),
    groups: structureCodes(c, 'ENTEleveGroupes'),
    mef: c.one('ENTEleveMEF'),
    mefLabel: c.one('ENTEleveLibelleMEF'),
    teachingCodes: c.all('ENTEleveCodeEnseignements'),
    guardians: guardianLinks(c),
  };
  if (student.ine && !/^[0-9A-Z]{11}$/.test(student.ine))
    c.add('MALFORMED_VALUE', `INE "${student.ine}" is not 11 letters or digits`, {
      variant: 'ine',
      value: student.ine,
    });
  if (student.mef && student.mef.length !== 11)
    c.add('MALFORMED_VALUE', `MEF code "${student.mef}" is not 11 characters`, { variant: 'mef', value: student.mef });
  if (op === 'add' && student.classes.length === 0) c.add('STUDENT_WITHOUT_CLASS', 'student without any class');
  return student;
}

function mapGuardianFields(c: Collector, op: AafRequestKind): AafGuardian {
  const guardian: AafGuardian = {
    entity: 'guardian',
    ...identity(c, 'ENTPersonJointure'),
    phones: { home: c.one('homePhone'), work: c.one('telephoneNumber'), mobile: c.one('mobile') },
    address: personAddress(c),
    studentKeys: [...new Set(c.all('ENTAuxPersRelEleveEleve'))],
  };
  const p = guardian.phones;
  if (op === 'add' && !guardian.email && !p.home && !p.work && !p.mobile)
    c.add('GUARDIAN_WITHOUT_CONTACT', 'guardian without e-mail nor phone');
  return guardian;
}

function mapStaffFields(c: Collector, op: AafRequestKind): AafStaff {
  const base = identity(c, 'ENTPersonJointure');
  const functions: StaffFunction[] = [];
  for (const v of c.all('ENTPersonFonctions')) {
    const f = splitCompound(v);
    if (f.length < 2 || !f[0]) {
      c.add('MALFORMED_VALUE', `ENTPersonFonctions "${v}" should be structureKey$functionCode$…`, {
        variant: 'function',
        attribute: 'ENTPersonFonctions',
        value: v,
      });
      continue;
    }
    const code = f[1]!;
    if (!code || code === '-') continue; // "no function" placeholder
    functions.push({
      structureKey: f[0],
      code,
      label: f[2] || null,
      positionCode: f[3] || null,
      positionLabel: f[4] || null,
      profile: FUNCTION_PROFILES[code.toUpperCase()] ?? 'staff',
    });
  }
  const assignments: TeachingAssignment[] = [];
  for (const [attr, kind] of [
    ['ENTAuxEnsClassesMatieres', 'class'],
    ['ENTAuxEnsGroupesMatieres', 'group'],
  ] as const) {
    for (const f of c.compound(attr, 3)) {
      const subjectCode = f[2]!;
      if (!/^[0-9A-Z]{6}$/.test(subjectCode))
        c.add('MALFORMED_VALUE', `${attr}: subject code "${subjectCode}" is not 6 letters or digits`, {
          variant: 'assignmentSubject',
          attribute: attr,
          value: subjectCode,
        });
      assignments.push({ structureKey: f[0]!, kind, code: f[1]!, subjectCode });
    }
  }
  const presence = c.one('PersEducNatPresenceDevantEleves');
  const teachesStudents = presence ? presence.toUpperCase() === 'O' : null;
  const staff: AafStaff = {
    entity: 'staff',
    ...base,
    functions,
    profiles: [],
    assignments: dedupe(assignments, (a) => `${a.structureKey}$${a.kind}$${a.code}$${a.subjectCode}`),
    headTeacherOf: structureCodes(c, 'ENTAuxEnsClassesPrincipal'),
    teachesStudents,
  };
  const profiles = functions.map((f) => ({ structureKey: f.structureKey, profile: f.profile }));
  // Without a function in a structure: a teacher if they teach there, else staff.
  const withFunction = new Set(functions.map((f) => f.structureKey));
  const teachingIn = new Set(staff.assignments.map((a) => a.structureKey));
  for (const s of new Set([...base.structureKeys, ...teachingIn])) {
    if (withFunction.has(s)) continue;
    profiles.push({ structureKey: s, profile: teachingIn.has(s) || teachesStudents ? 'teacher' : 'staff' });
  }
  for (const s of teachingIn)
    if (withFunction.has(s) && !profiles.some((p) => p.structureKey === s && p.profile === 'teacher'))
      profiles.push({ structureKey: s, profile: 'teacher' });
  staff.profiles = dedupe(profiles, (p) => `${p.structureKey}$${p.profile}`);
  if (op === 'add' && staff.profiles.some((p) => p.profile === 'teacher') && staff.assignments.length === 0)
    c.add('TEACHER_WITHOUT_ASSIGNMENT', 'teacher without any teaching assignment');
  return staff;
}

function mapSubjectFields(c: Collector): AafSubject {
  const code = c.one('ENTMatJointure') ?? c.key;
  if (!/^[0-9A-Z]{6}$/.test(code))
    c.add('MALFORMED_VALUE', `subject code "${code}" is not 6 letters or digits`, { variant: 'subject', value: code });
  return { entity: 'subject', key: c.key, code, label: c.one('ENTLibelleMatiere') };
}

function mapMefFields(c: Collector): AafMef {
  const code = c.one('ENTMefJointure') ?? c.key;
  if (code.length !== 11)
    c.add('MALFORMED_VALUE', `MEF code "${code}" is not 11 characters`, { variant: 'mef', value: code });
  return { entity: 'mef', key: c.key, code, label: c.one('ENTLibelleMef'), level: c.one('ENTNivFormation') };
}

/** Which entity a record describes: its category first, else the file type. */
export function entityKindOf(record: AafRecord, fileType?: AafFileType | null): AafEntityKind | null {
  return (
    (record.category ? CATEGORY_TO_KIND[record.category] : undefined) ??
    (fileType ? CATEGORY_TO_KIND[fileType] : undefined) ??
    null
  );
}

/**
 * Map one record. Returns null (with an anomaly in `anomalies`) when its kind cannot be told.
 * A delete request maps to `entity: null` with its key; a modify request maps the attributes it carries
 * (`provided`), the others being left to the importer.
 */
export function mapRecord(record: AafRecord, ctx: MappingContext): MappedRecord {
  const c = new Collector(record, ctx.file);
  const kind = entityKindOf(record, ctx.fileType);
  if (!kind) {
    c.add('UNKNOWN_CATEGORY', `unknown category "${record.category ?? ''}" and unknown file type`, {
      category: record.category ?? '',
    });
    return { op: record.kind, entityKind: null, key: c.key, entity: null, provided: [], anomalies: c.anomalies };
  }
  const provided = Object.keys(record.attrs);
  if (record.kind === 'delete')
    return { op: 'delete', entityKind: kind, key: c.key, entity: null, provided, anomalies: c.anomalies };
  let entity: AafEntity;
  switch (kind) {
    case 'structure':
      entity = mapStructureFields(c);
      break;
    case 'student':
      entity = mapStudentFields(c, record.kind);
      break;
    case 'guardian':
      entity = mapGuardianFields(c, record.kind);
      break;
    case 'staff':
      entity = mapStaffFields(c, record.kind);
      break;
    case 'subject':
      entity = mapSubjectFields(c);
      break;
    case 'mef':
      entity = mapMefFields(c);
      break;
  }
  return { op: record.kind, entityKind: kind, key: c.key, entity, provided, anomalies: c.anomalies };
}

function typed<E extends AafEntity>(
  kind: E['entity'],
  record: AafRecord,
  ctx: MappingContext,
): { entity: E | null; anomalies: ImportAnomaly[] } {
  const fileType = Object.entries(CATEGORY_TO_KIND).find(([, k]) => k === kind)?.[0] as AafFileType;
  const r = mapRecord({ ...record, category: record.category ?? fileType }, { ...ctx, fileType });
  if (r.entity && r.entity.entity !== kind) {
    const c = new Collector(record, ctx.file);
    c.add('UNEXPECTED_CATEGORY', `category "${record.category}" found where ${fileType} was expected`, {
      category: record.category ?? '',
      expected: fileType,
    });
    return { entity: null, anomalies: [...r.anomalies, ...c.anomalies] };
  }
  return { entity: r.entity as E | null, anomalies: r.anomalies };
}

export const mapStructure = (r: AafRecord, ctx: MappingContext) => typed<AafStructure>('structure', r, ctx);
export const mapStudent = (r: AafRecord, ctx: MappingContext) => typed<AafStudent>('student', r, ctx);
export const mapGuardian = (r: AafRecord, ctx: MappingContext) => typed<AafGuardian>('guardian', r, ctx);
export const mapStaff = (r: AafRecord, ctx: MappingContext) => typed<AafStaff>('staff', r, ctx);
export const mapSubject = (r: AafRecord, ctx: MappingContext) => typed<AafSubject>('subject', r, ctx);
export const mapMef = (r: AafRecord, ctx: MappingContext) => typed<AafMef>('mef', r, ctx);
