/**
 * Parsing phase of an AAF import: every file streamed through the ready-made parser and mapper, folded into
 * one `ImportSet`. A file that cannot be read whole (not XML, truncated, bad encoding) makes the whole import
 * fail before anything is written: `ImportInputError` carries every such file's error.
 */

import {
  type AafGuardian,
  type AafMef,
  type AafStaff,
  type AafStructure,
  type AafStudent,
  type AafSubject,
  type MappedRecord,
  mapRecord,
} from '../aaf/aaf-mapping.ts';
import { AAF_FILE_TYPES, type AafFileType, AafParseError, fileKind, parseAaf } from '../aaf/aaf-parser.ts';
import {
  type AafPersonFileType,
  anomaly,
  emptySet,
  type GuardianIn,
  type GuardianLinkIn,
  type ImportAnomaly,
  ImportInputError,
  type ImportSet,
  type Origin,
  type PersonColumn,
  type PersonKind,
  type PersonValues,
  type StaffIn,
  type StaffProfile,
  type StudentIn,
} from './model.ts';
import type { ImportSource } from './sources.ts';

export interface AafFileInfo {
  name: string;
  type: AafFileType | null;
  full: boolean;
  encoding: string | null;
  records: number;
}

/** Which attribute provides which account column. */
const COLUMN_ATTRS: Record<Exclude<PersonColumn, 'consents'>, string[]> = {
  last_name: ['sn'],
  first_name: ['givenName'],
  birth_date: ['ENTPersonDateNaissance'],
  email: ['mail'],
  title: ['personalTitle'],
  ine: ['ENTEleveINE'],
  phone_home: ['homePhone'],
  phone_work: ['telephoneNumber'],
  phone_mobile: ['mobile'],
  address: ['ENTPersonAdresse', 'ENTPersonCodePostal', 'ENTPersonVille', 'ENTPersonPays'],
};

/** The columns each kind of record sets when it adds a person (absent attributes then mean empty). */
const KIND_COLUMNS: Record<PersonKind, PersonColumn[]> = {
  student: ['last_name', 'first_name', 'birth_date', 'email', 'title', 'ine'],
  guardian: [
    'last_name',
    'first_name',
    'birth_date',
    'email',
    'title',
    'phone_home',
    'phone_work',
    'phone_mobile',
    'address',
  ],
  staff: ['last_name', 'first_name', 'birth_date', 'email', 'title'],
};

const PERSON_TYPE: Record<PersonKind, AafPersonFileType> = {
  student: 'Eleve',
  guardian: 'PersRelEleve',
  staff: 'PersEducNat',
};

const TYPE_ORDER = new Map<string, number>(AAF_FILE_TYPES.map((t, i) => [t, i]));

/** Files in a stable order: by date, type, part; names that do not follow the pattern last, by name. */
export function orderAafFiles<T extends { name: string }>(files: T[]): T[] {
  return [...files].sort((a, b) => {
    const ka = fileKind(a.name);
    const kb = fileKind(b.name);
    if (ka && kb)
      return (
        ka.date.localeCompare(kb.date) ||
        (TYPE_ORDER.get(ka.type) ?? 0) - (TYPE_ORDER.get(kb.type) ?? 0) ||
        ka.part - kb.part ||
        a.name.localeCompare(b.name)
      );
    if (ka) return -1;
    if (kb) return 1;
    return a.name.localeCompare(b.name);
  });
}

function personValues(
  kind: PersonKind,
  r: MappedRecord,
  p: AafStudent | AafGuardian | AafStaff,
  birthDateOk: boolean,
): PersonValues {
  const provided = new Set(r.provided);
  const isAdd = r.op === 'add';
  const values: PersonValues = {};
  for (const column of KIND_COLUMNS[kind]) {
    if (column === 'consents') continue;
    const given = COLUMN_ATTRS[column].some((a) => provided.has(a));
    if (!isAdd && !given) continue;
    switch (column) {
      case 'last_name':
        values.last_name = p.lastName;
        break;
      case 'first_name':
        values.first_name = p.firstName;
        break;
      case 'birth_date':
        // A malformed date (reported) never erases a known one.
        if (given && !birthDateOk) break;
        values.birth_date = p.birthDate;
        break;
      case 'email':
        values.email = p.email;
        break;
      case 'title':
        values.title = p.title;
        break;
      case 'ine':
        values.ine = (p as AafStudent).ine ?? null;
        break;
      case 'phone_home':
        values.phone_home = (p as AafGuardian).phones?.home ?? null;
        break;
      case 'phone_work':
        values.phone_work = (p as AafGuardian).phones?.work ?? null;
        break;
      case 'phone_mobile':
        values.phone_mobile = (p as AafGuardian).phones?.mobile ?? null;
        break;
      case 'address': {
        const a = (p as AafGuardian).address;
        values.address =
          a && (a.lines.length || a.postalCode || a.city || a.country)
            ? { lines: a.lines, postalCode: a.postalCode, city: a.city, country: a.country }
            : null;
        break;
      }
    }
  }
  return values;
}

/** What a pass over the files does with each person it reads (see partition.ts): keep it, and/or index it. */
export interface BuilderOptions {
  /** Persons whose records are kept in the set (default: all). */
  keep?: (key: string) => boolean;
  /** Sees each person record as the set would store it (before any merge with an earlier request). */
  onPerson?: (kind: PersonKind, op: MappedRecord['op'], person: StudentIn | GuardianIn | StaffIn) => void;
}

export class AafSetBuilder {
  readonly set = emptySet('aaf');
  private readonly opts: BuilderOptions;
  constructor(opts: BuilderOptions = {}) {
    this.opts = opts;
  }
  /** Keys added by an add request, per kind: a second add of the same key is a duplicate. */
  private readonly added: Record<PersonKind, Map<string, Origin>> = {
    student: new Map(),
    guardian: new Map(),
    staff: new Map(),
  };

  add(r: MappedRecord, origin: Origin, fullTypes: Set<AafPersonFileType> | null): void {
    this.set.anomalies.push(...r.anomalies);
    if (!r.entityKind) return;
    const provided = new Set(r.provided);
    const has = (...names: string[]) => r.op === 'add' || names.some((n) => provided.has(n));
    switch (r.entityKind) {
      case 'structure':
        this.structure(r, origin);
        return;
      case 'subject': {
        if (r.op === 'delete') return;
        const s = r.entity as AafSubject;
        this.set.subjects.set(s.code, { label: s.label, origin });
        return;
      }
      case 'mef': {
        if (r.op === 'delete') return;
        const m = r.entity as AafMef;
        this.set.mefs.set(m.code, { label: m.label, level: m.level, origin });
        return;
      }
    }
    const kind: PersonKind = r.entityKind;
    if (fullTypes && r.op !== 'delete') fullTypes.add(PERSON_TYPE[kind]);
    if (r.op === 'delete') {
      this.set.students.delete(r.key);
      this.set.guardians.delete(r.key);
      this.set.staff.delete(r.key);
      this.set.deletes.set(r.key, { kind, origin });
      return;
    }
    this.set.deletes.delete(r.key);
    if (r.op === 'add') {
      const first = this.added[kind].get(r.key);
      if (first) {
        this.set.anomalies.push(
          anomaly(
            'DUPLICATE_KEY',
            `the same person (key ${r.key}) is added twice: in ${first.file} (request ${first.record}) and here; the first one is kept`,
            origin,
            r.key,
            { variant: 'person', key: r.key, otherFile: first.file, otherRecord: first.record ?? '' },
          ),
        );
        return;
      }
      this.added[kind].set(r.key, origin);
    }
    const birthDateOk = !r.anomalies.some((a) => a.code === 'MALFORMED_DATE');
    if (kind === 'student') {
      const s = r.entity as AafStudent;
      const links: GuardianLinkIn[] = [];
      for (const l of s.guardians) {
        // Level 0 (or unreadable, reported by the mapping): a contact, not a person responsible.
        if (l.level) links.push({ guardianKey: l.guardianKey, level: l.level, relation: l.relation });
      }
      const next = {
        key: r.key,
        origin,
        values: personValues('student', r, s, birthDateOk),
        structures: has('ENTPersonStructRattach') ? s.structureKeys : undefined,
        classes: has('ENTEleveClasses') ? s.classes : undefined,
        groups: has('ENTEleveGroupes') ? s.groups : undefined,
        mef: has('ENTEleveMEF') ? s.mef : undefined,
        guardians: has('ENTElevePersRelEleve', 'ENTEleveParents', 'ENTEleveAutoriteParentale') ? links : undefined,
      };
      this.opts.onPerson?.('student', r.op, next);
      if (!this.kept(r.key)) return;
      const prev = r.op === 'modify' ? this.set.students.get(r.key) : undefined;
      this.set.students.set(r.key, prev ? mergePerson(prev, next) : next);
    } else if (kind === 'guardian') {
      const g = r.entity as AafGuardian;
      const next = {
        key: r.key,
        origin,
        values: personValues('guardian', r, g, birthDateOk),
        structures: provided.has('ENTPersonStructRattach') ? g.structureKeys : undefined,
        students: has('ENTAuxPersRelEleveEleve') ? g.studentKeys : undefined,
      };
      this.opts.onPerson?.('guardian', r.op, next);
      if (!this.kept(r.key)) return;
      const prev = r.op === 'modify' ? this.set.guardians.get(r.key) : undefined;
      this.set.guardians.set(r.key, prev ? mergePerson(prev, next) : next);
    } else {
      const p = r.entity as AafStaff;
      const byProfile = new Map<
        string,
        { structureKey: string; profile: StaffProfile; functions: string[]; position?: string | null; labels: string[] }
      >();
      for (const pr of p.profiles) {
        if (pr.profile === 'student' || pr.profile === 'guardian') continue;
        byProfile.set(`${pr.structureKey}$${pr.profile}`, {
          structureKey: pr.structureKey,
          profile: pr.profile,
          functions: [],
          labels: [],
        });
      }
      for (const f of p.functions) {
        const entry = byProfile.get(`${f.structureKey}$${f.profile}`);
        if (!entry) continue;
        if (!entry.functions.includes(f.code.toUpperCase())) entry.functions.push(f.code.toUpperCase());
        // The position's label ("CONSEILLER PRINCIPAL D'EDUCATION"), else the function's ("DIRECTION").
        const label = (f.positionLabel ?? f.label ?? '').trim();
        if (label && !entry.labels.includes(label)) entry.labels.push(label);
      }
      for (const e of byProfile.values()) {
        e.functions.sort();
        // Stated by the functions attribute: a person without any label there has none.
        if (has('ENTPersonFonctions')) e.position = e.labels.length ? e.labels.join(', ') : null;
      }
      const assign = (kindOf: 'class' | 'group') =>
        p.assignments
          .filter((a) => a.kind === kindOf && /^[0-9A-Z]{6}$/.test(a.subjectCode))
          .map((a) => ({ structureKey: a.structureKey, code: a.code, subjectCode: a.subjectCode }));
      const next = {
        key: r.key,
        origin,
        values: personValues('staff', r, p, birthDateOk),
        structures: has('ENTPersonStructRattach') ? p.structureKeys : undefined,
        profiles: [...byProfile.values()].map(({ labels: _l, ...pr }) => pr),
        profilesProvided: has('ENTPersonFonctions'),
        classAssignments: has('ENTAuxEnsClassesMatieres') ? assign('class') : undefined,
        groupAssignments: has('ENTAuxEnsGroupesMatieres') ? assign('group') : undefined,
        headTeacherOf: has('ENTAuxEnsClassesPrincipal') ? p.headTeacherOf : undefined,
      };
      this.opts.onPerson?.('staff', r.op, next);
      if (!this.kept(r.key)) return;
      const prev = r.op === 'modify' ? this.set.staff.get(r.key) : undefined;
      if (prev) {
        const merged = mergePerson(prev, next);
        merged.profiles = next.profilesProvided ? next.profiles : mergeProfiles(prev.profiles, next.profiles);
        merged.profilesProvided = prev.profilesProvided || next.profilesProvided;
        this.set.staff.set(r.key, merged);
      } else this.set.staff.set(r.key, next);
    }
  }

  private kept(key: string): boolean {
    return !this.opts.keep || this.opts.keep(key);
  }

  private structure(r: MappedRecord, origin: Origin): void {
    if (r.op === 'delete') {
      this.set.anomalies.push(
        anomaly(
          'STRUCTURE_DELETE_IGNORED',
          `structure ${r.key} is deleted by the file: establishments are never removed by an import`,
          origin,
          r.key,
          { key: r.key },
        ),
      );
      return;
    }
    const s = r.entity as AafStructure;
    const prev = this.set.structures.get(r.key);
    if (prev && r.op === 'add') {
      this.set.anomalies.push(
        anomaly('DUPLICATE_KEY', `structure ${r.key} is described twice; the first one is kept`, origin, r.key, {
          variant: 'structure',
          key: r.key,
        }),
      );
      return;
    }
    const provided = new Set(r.provided);
    const next = {
      key: r.key,
      origin,
      uai: s.uai,
      name: s.name,
      type: s.type,
      academy: s.academy,
      city: s.city,
      classes: s.classes,
      groups: s.groups,
    };
    if (prev && r.op === 'modify') {
      this.set.structures.set(r.key, {
        ...prev,
        uai: provided.has('ENTStructureUAI') ? s.uai : prev.uai,
        name: s.name ?? prev.name,
        type: provided.has('ENTStructureTypeStruct') ? s.type : prev.type,
        academy: provided.has('ENTServAcAcademie') ? s.academy : prev.academy,
        city: s.city ?? prev.city,
        classes: provided.has('ENTStructureClasses') ? s.classes : prev.classes,
        groups: provided.has('ENTStructureGroupes') ? s.groups : prev.groups,
      });
    } else this.set.structures.set(r.key, next);
  }
}

function mergeProfiles<T extends { structureKey: string; profile: string }>(a: T[], b: T[]): T[] {
  const out = [...a];
  for (const x of b) if (!out.some((y) => y.structureKey === x.structureKey && y.profile === x.profile)) out.push(x);
  return out;
}

/** A later request on the same key: its provided values and lists win, the others stay. */
function mergePerson<T extends { values: PersonValues; origin: Origin }>(prev: T, next: T): T {
  const merged = { ...prev } as Record<string, unknown>;
  for (const [k, v] of Object.entries(next)) if (v !== undefined && k !== 'values') merged[k] = v;
  merged.values = { ...prev.values, ...next.values };
  return merged as T;
}

async function* counted(source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void) {
  for await (const chunk of source) {
    onBytes(chunk.byteLength);
    yield chunk;
  }
}

/**
 * Read every AAF file of an import into one set.
 * @throws ImportInputError when at least one file cannot be read (nothing is to be written then).
 */
export async function readAafSet(
  sources: ImportSource[],
  onBytes: (n: number) => void = () => {},
  options: BuilderOptions & {
    /** Sees every mapped record, in order, before the set does (the first pass spills the persons' ones). */
    onRecord?: (r: MappedRecord, origin: Origin) => void | Promise<void>;
  } = {},
): Promise<{ set: ImportSet; files: AafFileInfo[] }> {
  const builder = new AafSetBuilder(options);
  const files: AafFileInfo[] = [];
  const fatal: ImportAnomaly[] = [];
  for (const source of orderAafFiles(sources)) {
    const kind = fileKind(source.name);
    const info: AafFileInfo = {
      name: source.name,
      type: kind?.type ?? null,
      full: kind?.full ?? false,
      encoding: null,
      records: 0,
    };
    files.push(info);
    // Full exports are recognised by their name; their person types then count as covering their structures.
    const fullTypes = kind?.full ? builder.set.fullTypes : null;
    try {
      for await (const record of parseAaf(counted(source.open(), onBytes), {
        file: source.name,
        onAnomaly: (a) => builder.set.anomalies.push(a),
        onEncoding: (e) => {
          info.encoding = e;
        },
      })) {
        info.records++;
        const mapped = mapRecord(record, { file: source.name, fileType: kind?.type ?? null });
        const origin = { file: source.name, record: record.index, line: record.line };
        if (options.onRecord) await options.onRecord(mapped, origin);
        builder.add(mapped, origin, fullTypes);
      }
    } catch (e) {
      if (e instanceof AafParseError) fatal.push(e.toAnomaly());
      else
        fatal.push({
          code: 'READ_ERROR',
          message: `${source.name}: ${(e as Error).message}`,
          file: source.name,
          record: null,
          params: { error: (e as Error).message },
        });
    }
  }
  if (fatal.length) throw new ImportInputError([...fatal, ...builder.set.anomalies]);
  return { set: builder.set, files };
}
