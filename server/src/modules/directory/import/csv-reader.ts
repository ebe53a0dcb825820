/**
 * Parsing phase of a CSV import: students (with R1/R2 guardians or not), guardians (one row per guardian ×
 * child) and teachers/staff files of ONE establishment, read with the ready-made parser, the caller's column
 * mapping applied, and folded into an `ImportSet` whose only structure key is `CSV_STRUCTURE`.
 *
 * CSV files are quick fixes as much as directories: they never detach anybody, empty cells never erase a
 * value, and links are only added (except a student's class, which a row states outright).
 * Keys: the file's own identifiers are namespaced by the establishment's UAI (`csv:<UAI>:student:…`), so a
 * school's spreadsheet can never reach another school's people; without an identifier, a person is known by
 * names and birth date (students, staff) or names and first contact (guardians).
 */
import type { CsvFileProfile, CsvMapping } from '@preau/contracts';
import { FUNCTION_PROFILES } from '../aaf/aaf-mapping.ts';
import {
  BASE_FIELDS,
  type CsvColumn,
  type CsvField,
  CsvParseError,
  type CsvRecord,
  CsvRecordReader,
  type CsvRow,
  columnsOfHeader,
  GUARDIAN_FIELDS,
  groupGuardianRows,
  guardiansOfStudentRow,
  mapCsvRecord,
  profileOfColumns,
} from '../csv/csv-parser.ts';
import {
  anomaly,
  emptySet,
  foldName,
  type GuardianIn,
  type ImportAnomaly,
  ImportInputError,
  type ImportSet,
  type Origin,
  type PersonKind,
  type PersonValues,
  type StaffProfile,
  type StudentIn,
} from './model.ts';
import type { ImportSource } from './sources.ts';

/** The one structure key of a CSV set: the establishment the files are imported into. */
export const CSV_STRUCTURE = '@csv';

/** Every field a column can be mapped to (the preview lists them). */
export const CSV_FIELDS: string[] = [
  ...BASE_FIELDS,
  ...GUARDIAN_FIELDS.map((f) => `r1.${f}`),
  ...GUARDIAN_FIELDS.map((f) => `r2.${f}`),
];
const KNOWN_FIELDS = new Set(CSV_FIELDS);

export function isCsvField(field: string): field is CsvField {
  return KNOWN_FIELDS.has(field);
}

export interface CsvFileInfo {
  name: string;
  profile: CsvFileProfile | null;
  encoding: string;
  rows: number;
}

/** The columns as the caller's mapping says (headers it does not list keep the detected field). */
export function mappedColumns(columns: CsvColumn[], mapping: CsvMapping[string] | undefined): CsvColumn[] {
  const overrides = mapping?.columns;
  if (!overrides || Object.keys(overrides).length === 0) return columns;
  return columns.map((c) => {
    if (!(c.header in overrides)) return c;
    const f = overrides[c.header];
    return { header: c.header, field: f === null || f === undefined || f === '' ? null : (f as CsvField) };
  });
}

/** The kind of rows of a file: the caller's choice, else what its (mapped) columns suggest. */
export function profileOf(columns: CsvColumn[], mapping: CsvMapping[string] | undefined): CsvFileProfile | null {
  return mapping?.profile ?? profileOfColumns(columns);
}

const split = (v: string | undefined) =>
  (v ?? '')
    .split(/[,;|]/)
    .map((s) => s.trim())
    .filter(Boolean);

const YES = new Set(['oui', 'o', 'x', 'yes', 'y', '1', 'vrai', 'true']);

function rowProfile(value: string | undefined): 'student' | 'guardian' | 'teacher' | 'staff' | null {
  const v = foldName(value);
  if (!v) return null;
  if (/^(eleve|student|el|elv)/.test(v)) return 'student';
  if (/^(resp|parent|guardian|representant|rl|tuteur|mere|pere)/.test(v)) return 'guardian';
  if (/^(ens|prof|teacher)/.test(v)) return 'teacher';
  return 'staff';
}

function staffProfileOf(fn: string | undefined, teaches: boolean): { profile: StaffProfile; code: string | null } {
  const raw = (fn ?? '').trim();
  const code = raw.toUpperCase();
  const byCode = FUNCTION_PROFILES[code];
  if (byCode === 'teacher' || byCode === 'staff' || byCode === 'principal') return { profile: byCode, code };
  const v = foldName(raw);
  if (!v) return { profile: teaches ? 'teacher' : 'staff', code: null };
  // School life first: a "conseiller principal d'éducation" is no principal.
  if (/(cpe|educ|viescol|surveil|aed)/.test(v)) return { profile: 'staff', code: 'EDU' };
  if (/(direct|proviseur|principal|chefdetab|adjoint)/.test(v)) return { profile: 'principal', code: 'DIR' };
  if (/^(ens|prof|enseign)/.test(v)) return { profile: 'teacher', code: 'ENS' };
  if (/(doc)/.test(v)) return { profile: 'staff', code: 'DOC' };
  return { profile: 'staff', code: raw.length <= 10 ? code : null };
}

function put(values: PersonValues, column: keyof PersonValues, v: string | undefined) {
  if (v) (values as Record<string, unknown>)[column] = v;
}

/** The first contact of a guardian: with the names, what tells two homonyms apart from one file to another. */
function contactOf(g: Partial<Record<string, string>>): string {
  return foldName(g.email) || foldName(g.mobilePhone) || foldName(g.phone) || foldName(g.homePhone);
}

class CsvSetBuilder {
  readonly set = emptySet('csv');
  private readonly ns: string;

  constructor(namespace: string) {
    this.ns = namespace;
  }

  private key(kind: 'student' | 'guardian' | 'staff', ident: string): string {
    return `csv:${this.ns}:${kind}:${ident}`;
  }

  studentKey(row: CsvRow): string | null {
    if (row.externalId) return this.key('student', `id:${row.externalId}`);
    if (row.ine) return this.key('student', `ine:${row.ine.toUpperCase()}`);
    if (!row.lastName && !row.firstName) return null;
    return this.key('student', `n:${foldName(row.lastName)}|${foldName(row.firstName)}|${row.birthDate ?? ''}`);
  }

  guardianKey(g: Partial<Record<string, string>>): string {
    if (g.externalId) return this.key('guardian', `id:${g.externalId}`);
    return this.key('guardian', `n:${foldName(g.lastName)}|${foldName(g.firstName)}|${contactOf(g)}`);
  }

  private mergeGuardian(next: GuardianIn): void {
    const prev = this.set.guardians.get(next.key);
    if (!prev) {
      this.set.guardians.set(next.key, next);
      return;
    }
    prev.values = { ...next.values, ...prev.values };
    if (next.students) prev.students = [...new Set([...(prev.students ?? []), ...next.students])];
    if (next.namedChildren) prev.namedChildren = [...(prev.namedChildren ?? []), ...next.namedChildren];
  }

  /** A row that cannot make a person (no surname): reported, listed among the rows, nothing created. */
  private refuse(kind: PersonKind, row: CsvRow, origin: Origin, variant: string): void {
    const name = [row.usageName || row.lastName, row.firstName].filter(Boolean).join(' ');
    this.set.anomalies.push(
      anomaly(
        'MISSING_VALUE',
        name
          ? `line ${origin.record}: "${name}" has no surname: the row is refused (no account is created without one)`
          : `line ${origin.record}: a row without a name: refused`,
        origin,
        undefined,
        { variant: name ? 'noLastName' : variant, name },
      ),
    );
    this.set.refused.push({ kind, name, origin });
  }

  student(row: CsvRow, origin: Origin): void {
    const key = this.studentKey(row);
    if (!key || !(row.usageName || row.lastName)) {
      this.refuse('student', row, origin, 'studentName');
      return;
    }
    const values: PersonValues = {};
    put(values, 'last_name', row.usageName || row.lastName);
    put(values, 'first_name', row.firstName);
    put(values, 'birth_date', row.birthDate);
    put(values, 'email', row.email);
    put(values, 'title', row.title);
    put(values, 'ine', row.ine?.toUpperCase());
    put(values, 'phone_mobile', row.mobilePhone);
    put(values, 'phone_home', row.homePhone ?? row.phone);
    const consents: Record<string, string> = {};
    if (row.photoConsent) consents.photo = row.photoConsent;
    if (row.associationConsent) consents.associations = row.associationConsent;
    if (Object.keys(consents).length) values.consents = consents;
    const links: StudentIn['guardians'] = [];
    for (const { rank, guardian: g } of guardiansOfStudentRow(row)) {
      if (!g.lastName) {
        this.set.anomalies.push(
          anomaly(
            'MISSING_VALUE',
            `line ${origin.record}: guardian R${rank} "${g.firstName ?? ''}" has no surname: not imported`,
            origin,
            undefined,
            { variant: 'guardianNoLastName', rank: `R${rank}`, name: g.firstName ?? '' },
          ),
        );
        continue;
      }
      const gKey = this.guardianKey(g);
      const gValues: PersonValues = {};
      put(gValues, 'last_name', g.lastName);
      put(gValues, 'first_name', g.firstName);
      put(gValues, 'title', g.title);
      put(gValues, 'email', g.email);
      put(gValues, 'phone_mobile', g.mobilePhone);
      put(gValues, 'phone_home', g.homePhone ?? g.phone);
      put(gValues, 'phone_work', g.workPhone);
      if (g.address1 || g.postalCode || g.city)
        gValues.address = {
          lines: [g.address1, g.address2].filter((x): x is string => !!x),
          postalCode: g.postalCode ?? null,
          city: g.city ?? null,
          country: g.country ?? null,
        };
      this.mergeGuardian({ key: gKey, origin, values: gValues });
      links.push({ guardianKey: gKey, level: 'legal', relation: g.relation ?? null });
    }
    const mef = row.level && /^[0-9]{10}[0-9A-Z]$/.test(row.level) ? row.level : undefined;
    const prev = this.set.students.get(key);
    if (prev) {
      this.set.anomalies.push(
        anomaly(
          'DUPLICATE_KEY',
          `line ${origin.record}: the same student as ${prev.origin.file} line ${prev.origin.record}; rows merged`,
          origin,
          key,
          { variant: 'csvStudent', otherFile: prev.origin.file, otherLine: prev.origin.record ?? '' },
        ),
      );
    }
    const next: StudentIn = {
      key,
      origin,
      values: { ...prev?.values, ...values },
      classes: row.class ? [{ structureKey: CSV_STRUCTURE, code: row.class.trim() }] : prev?.classes,
      groups: row.groups
        ? [...(prev?.groups ?? []), ...split(row.groups).map((code) => ({ structureKey: CSV_STRUCTURE, code }))]
        : prev?.groups,
      mef: mef ?? prev?.mef,
      guardians: links.length ? [...(prev?.guardians ?? []), ...links] : prev?.guardians,
      structures: [CSV_STRUCTURE],
    };
    if (!row.class && !prev?.classes)
      this.set.anomalies.push(
        anomaly('STUDENT_WITHOUT_CLASS', `line ${origin.record}: student without a class`, origin, key),
      );
    this.set.students.set(key, next);
  }

  guardians(rows: CsvRow[], lines: number[], file: string): void {
    for (const g of groupGuardianRows(rows, lines)) {
      const row = g.guardian;
      const origin: Origin = { file, record: g.lines[0] ?? null, line: g.lines[0] };
      if (!(row.usageName || row.lastName)) {
        this.refuse('guardian', row, origin, 'guardianName');
        continue;
      }
      const key = this.guardianKey(row);
      const values: PersonValues = {};
      put(values, 'last_name', row.usageName || row.lastName);
      put(values, 'first_name', row.firstName);
      put(values, 'title', row.title);
      put(values, 'email', row.email);
      put(values, 'birth_date', row.birthDate);
      put(values, 'phone_mobile', row.mobilePhone);
      put(values, 'phone_home', row.homePhone ?? row.phone);
      put(values, 'phone_work', row.workPhone);
      if (row.address1 || row.postalCode || row.city)
        values.address = {
          lines: [row.address1, row.address2].filter((x): x is string => !!x),
          postalCode: row.postalCode ?? null,
          city: row.city ?? null,
          country: row.country ?? null,
        };
      if (!row.email && !row.mobilePhone && !row.phone && !row.homePhone && !row.workPhone)
        this.set.anomalies.push(
          anomaly('GUARDIAN_WITHOUT_CONTACT', `line ${origin.record}: guardian without e-mail nor phone`, origin, key),
        );
      const students: string[] = [];
      const named: NonNullable<GuardianIn['namedChildren']> = [];
      for (const c of g.children) {
        const childOrigin = { file, record: c.line, line: c.line };
        if (c.externalId) students.push(this.key('student', `id:${c.externalId}`));
        else named.push({ lastName: c.lastName, firstName: c.firstName, class: c.class, origin: childOrigin });
      }
      if (g.children.length === 0)
        this.set.anomalies.push(
          anomaly('GUARDIAN_WITHOUT_STUDENT', `line ${origin.record}: guardian without any child named`, origin, key, {
            variant: 'noChild',
          }),
        );
      this.mergeGuardian({
        key,
        origin,
        values,
        students,
        namedChildren: named,
        level: 'legal',
        relation: row.relation ?? null,
      });
    }
  }

  staff(row: CsvRow, origin: Origin, forced: StaffProfile | null): void {
    if (!(row.usageName || row.lastName)) {
      this.refuse('staff', row, origin, 'personName');
      return;
    }
    const ident = row.externalId
      ? `id:${row.externalId}`
      : row.email
        ? `mail:${row.email.toLowerCase()}`
        : `n:${foldName(row.lastName)}|${foldName(row.firstName)}|${row.birthDate ?? ''}`;
    const key = this.key('staff', ident);
    const values: PersonValues = {};
    put(values, 'last_name', row.usageName || row.lastName);
    put(values, 'first_name', row.firstName);
    put(values, 'title', row.title);
    put(values, 'email', row.email);
    put(values, 'birth_date', row.birthDate);
    put(values, 'phone_mobile', row.mobilePhone);
    put(values, 'phone_work', row.workPhone ?? row.phone);
    const subjects = split(row.subjects);
    const classes = split(row.class);
    const groups = split(row.groups);
    const teaches = subjects.length > 0 || classes.length > 0 || groups.length > 0;
    const { profile: guessed, code } = staffProfileOf(row.function, teaches);
    // A function stated on the row wins; otherwise the file's (or the profile column's) kind of person.
    const profile = row.function ? guessed : (forced ?? guessed);
    const subjectRefs = subjects.map((s) => {
      if (/^[0-9A-Z]{6}$/.test(s)) return { code: s, label: null as string | null };
      const folded = foldName(s);
      if (!this.set.subjectLabels.has(folded)) this.set.subjectLabels.set(folded, { label: s, origin });
      return { code: `?${folded}`, label: s };
    });
    const assign = (codes: string[]) =>
      codes.flatMap((c) => subjectRefs.map((s) => ({ structureKey: CSV_STRUCTURE, code: c, subjectCode: s.code })));
    if (teaches && subjects.length === 0)
      this.set.anomalies.push(
        anomaly(
          'TEACHER_WITHOUT_ASSIGNMENT',
          `line ${origin.record}: classes without a subject: no teaching assignment can be made`,
          origin,
          key,
          { variant: 'noSubject' },
        ),
      );
    else if (profile === 'teacher' && !teaches)
      this.set.anomalies.push(
        anomaly(
          'TEACHER_WITHOUT_ASSIGNMENT',
          `line ${origin.record}: teacher without any class or subject`,
          origin,
          key,
          { variant: 'noClass' },
        ),
      );
    let head: string[] = [];
    if (row.headTeacher) {
      if (YES.has(foldName(row.headTeacher))) {
        if (classes.length === 1) head = [classes[0]!];
        else
          this.set.anomalies.push(
            anomaly(
              'MALFORMED_VALUE',
              `line ${origin.record}: head teacher "${row.headTeacher}" of which class? (${classes.length} classes)`,
              origin,
              key,
              { variant: 'headTeacher', value: row.headTeacher, classes: classes.length },
            ),
          );
      } else if (!['non', 'n', 'no', '0', 'faux', 'false'].includes(foldName(row.headTeacher)))
        head = split(row.headTeacher);
    }
    const prev = this.set.staff.get(key);
    this.set.staff.set(key, {
      key,
      origin,
      values: { ...prev?.values, ...values },
      structures: [CSV_STRUCTURE],
      profiles: [
        ...(prev?.profiles.filter((p) => p.profile !== profile) ?? []),
        {
          structureKey: CSV_STRUCTURE,
          profile,
          functions: code ? [code] : [],
          // The function as the file words it is the position; a row that says none leaves it as it is.
          ...(row.function ? { position: row.function.trim() } : {}),
        },
      ],
      profilesProvided: false,
      classAssignments: [...(prev?.classAssignments ?? []), ...assign(classes)],
      groupAssignments: [...(prev?.groupAssignments ?? []), ...assign(groups)],
      headTeacherOf: [...(prev?.headTeacherOf ?? []), ...head.map((code) => ({ structureKey: CSV_STRUCTURE, code }))],
    });
  }
}

/**
 * Read the CSV files of an import into one set, each file streamed (memory holds the set, not the files).
 * @param namespace the establishment's UAI: CSV keys are namespaced by it.
 * @throws ImportInputError when a file cannot be read or its profile cannot be told.
 */
export async function readCsvSet(
  sources: ImportSource[],
  namespace: string,
  mapping: CsvMapping = {},
  onBytes: (n: number) => void = () => {},
): Promise<{ set: ImportSet; files: CsvFileInfo[] }> {
  const builder = new CsvSetBuilder(namespace);
  const set = builder.set;
  const fatal: ImportAnomaly[] = [];
  const files: CsvFileInfo[] = [];
  for (const source of sources) {
    const file = source.name;
    const reader = new CsvRecordReader(file);
    let columns: CsvColumn[] | null = null;
    let profile: CsvFileProfile | null = null;
    let rows = 0;
    const guardianRows: CsvRow[] = [];
    const guardianLines: number[] = [];
    const record = (r: CsvRecord) => {
      if (!columns) {
        columns = mappedColumns(columnsOfHeader(r, file, set.anomalies), mapping[file]);
        profile = profileOf(columns, mapping[file]);
        for (const c of columns)
          if (c.field === null)
            set.anomalies.push(
              anomaly(
                'UNMAPPED_COLUMN',
                `column "${c.header}" is not recognised: it was not imported (map it in the mapping step)`,
                { file, record: 1, line: 1 },
                undefined,
                { column: c.header },
              ),
            );
        if (!profile) throw new UnknownProfile();
        return;
      }
      rows++;
      const row = mapCsvRecord(r, columns, file, set.anomalies);
      const origin: Origin = { file, record: r.line, line: r.line };
      const p = profile === 'mixed' ? rowProfile(row.profile) : profile;
      if (p === 'student') builder.student(row, origin);
      else if (p === 'guardian') {
        guardianRows.push(row);
        guardianLines.push(r.line);
      } else if (p === 'teacher' || p === 'staff') builder.staff(row, origin, p === 'teacher' ? 'teacher' : null);
      else
        set.anomalies.push(
          anomaly('MALFORMED_VALUE', `line ${r.line}: unknown profile "${row.profile ?? ''}"`, origin, undefined, {
            variant: 'profile',
            value: row.profile ?? '',
          }),
        );
    };
    try {
      for await (const chunk of source.open()) {
        onBytes(chunk.byteLength);
        for (const r of reader.push(chunk)) record(r);
      }
      for (const r of reader.end()) record(r);
      if (!columns)
        throw new CsvParseError('EMPTY_FILE', 'the file has no header line', file, null, { variant: 'noHeader' });
    } catch (e) {
      if (e instanceof UnknownProfile)
        fatal.push(
          anomaly(
            'CSV_PROFILE_UNKNOWN',
            `${file}: cannot tell whether the rows are students, guardians or teachers; choose it in the mapping step`,
            { file, record: null },
          ),
        );
      else
        fatal.push(
          e instanceof CsvParseError
            ? e.toAnomaly()
            : {
                code: 'READ_ERROR',
                message: `${file}: ${(e as Error).message}`,
                file,
                record: null,
                params: { error: (e as Error).message },
              },
        );
      if (!columns) continue;
    }
    files.push({ name: file, profile, encoding: reader.encoding, rows });
    if (guardianRows.length) builder.guardians(guardianRows, guardianLines, file);
  }
  if (fatal.length) throw new ImportInputError([...fatal, ...set.anomalies]);
  return { set, files };
}

class UnknownProfile extends Error {}
