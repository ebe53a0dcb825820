/**
 * Directory CSV files as schools produce them (../shared/reference/csv.md): separator, encoding and
 * headers are detected; each column is mapped to a canonical field or left unmapped for the mapping step.
 * Pure: no database. Files stream through `CsvRecordReader` (any size, bounded memory).
 */
import * as csvParse from 'csv-parse';
import iconv from 'iconv-lite';
import { type AnomalyParams, frenchDateToIso, type ImportAnomaly } from '../aaf/values.ts';

export type { ImportAnomaly } from '../aaf/values.ts';

/** Fields that a guardian can carry, alone or as R1/R2 columns on a student's row. */
export const GUARDIAN_FIELDS = [
  'lastName',
  'firstName',
  'title',
  'relation',
  'email',
  'phone',
  'homePhone',
  'workPhone',
  'mobilePhone',
  'address1',
  'address2',
  'postalCode',
  'city',
  'country',
] as const;
export type GuardianField = (typeof GUARDIAN_FIELDS)[number];

export const BASE_FIELDS = [
  'profile',
  'externalId',
  'lastName',
  'usageName',
  'firstName',
  'birthDate',
  'title',
  'class',
  'groups',
  'level',
  'ine',
  'boarding',
  'phone',
  'homePhone',
  'workPhone',
  'mobilePhone',
  'email',
  'address1',
  'address2',
  'postalCode',
  'city',
  'country',
  'relation',
  'childLastName',
  'childFirstName',
  'childClass',
  'childExternalId',
  'subjects',
  'headTeacher',
  'function',
  'photoConsent',
  'associationConsent',
  /** Known columns deliberately not imported (date inscription, pcs…). */
  'ignored',
] as const;
export type BaseField = (typeof BASE_FIELDS)[number];
export type CsvField = BaseField | `r1.${GuardianField}` | `r2.${GuardianField}`;

export type CsvRow = Partial<Record<CsvField, string>>;

export interface CsvColumn {
  /** Header as written in the file. */
  header: string;
  /** Recognised canonical field, null when unknown (shown in the mapping step). */
  field: CsvField | null;
}

export type CsvEncoding = 'utf-8' | 'windows-1252';
export type CsvSeparator = ';' | ',' | '\t';
export type CsvProfileGuess = 'student' | 'guardian' | 'teacher' | 'mixed' | null;

export interface CsvParseResult {
  encoding: CsvEncoding;
  bom: boolean;
  separator: CsvSeparator;
  columns: CsvColumn[];
  /** Mapped rows (empty values left out, `ignored` columns left out, birth dates as ISO yyyy-mm-dd). */
  rows: CsvRow[];
  /** Every data row's cells, in column order, for re-mapping after the user's choices (`remapCsv`). */
  cells: string[][];
  /** 1-based line in the file of each row (rows, cells and lines share indexes). */
  lines: number[];
  /** Headers of unmapped columns. */
  unknownColumns: string[];
  profile: CsvProfileGuess;
  anomalies: ImportAnomaly[];
}

export class CsvParseError extends Error {
  readonly code: 'EMPTY_FILE' | 'MALFORMED_CSV';
  readonly file: string;
  readonly line: number | null;
  /** The values of the detail, for the report (see ImportAnomaly.params). */
  readonly params: AnomalyParams | undefined;

  constructor(
    code: 'EMPTY_FILE' | 'MALFORMED_CSV',
    message: string,
    file: string,
    line: number | null,
    params?: AnomalyParams,
  ) {
    super(`${file}: ${message}${line ? ` (line ${line})` : ''}`);
    this.name = 'CsvParseError';
    this.code = code;
    this.file = file;
    this.line = line;
    this.params = params;
  }

  toAnomaly(): ImportAnomaly {
    const a: ImportAnomaly = { code: this.code, message: this.message, file: this.file, record: this.line };
    if (this.line) a.line = this.line;
    a.params = this.params ?? {};
    return a;
  }
}

/** Lower case, accents stripped, every character other than a letter or digit removed. */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^a-z0-9]/g, '');
}

const HEADERS: Record<BaseField, string[]> = {
  profile: ['profil', 'profile', 'typecompte', 'categorie', 'type'],
  externalId: ['id', 'identifiant', 'externalid', 'importid', 'idexterne', 'numeroeleve', 'numero', 'idresponsable'],
  lastName: ['nom', 'nomdefamille', 'nomeleve', 'nomresponsable', 'nomfamille', 'nomenseignant', 'nompersonnel'],
  usageName: ['nomdusage', 'nomusage', 'nomdusageeleve', 'nomdusageresponsable'],
  firstName: ['prenom', 'prenomeleve', 'prenomresponsable', 'prenomenseignant', 'prenom1', 'premierprenom'],
  birthDate: ['datedenaissance', 'datenaiss', 'datenaissance', 'nele', 'nee', 'neele', 'datedenaiss'],
  // « Sexe » (M/F) is not a civilité (M., Mme): SIECLE's column is known and left out (`ignored`, below).
  title: ['civilite'],
  class: ['classe', 'classes', 'libelleclasse', 'classeouregroupement', 'division', 'codeclasse'],
  groups: ['groupes', 'groupe', 'regroupement', 'regroupements'],
  level: ['niveau', 'mef', 'libellemef', 'filiere', 'cycle', 'codemef'],
  ine: ['ine', 'numeroine'],
  boarding: ['regime', 'regimescolaire'],
  phone: ['telephone', 'tel'],
  homePhone: ['telephonedomicile', 'teldomicile', 'telephonepersonnel'],
  workPhone: ['telephonetravail', 'teltravail', 'telephoneprofessionnel'],
  mobilePhone: ['telephoneportable', 'telportable', 'portable', 'mobile', 'telephonemobile'],
  email: ['email', 'courriel', 'mail', 'adressemail', 'adressecourriel', 'adresseemail'],
  address1: ['adresse', 'adresse1', 'ligneadresse1'],
  address2: ['adresse2', 'ligneadresse2', 'complementadresse'],
  postalCode: ['cp', 'codepostal'],
  city: ['ville', 'commune'],
  country: ['pays'],
  relation: ['lien', 'liendeparente', 'lienparente', 'parente', 'qualite'],
  childLastName: ['nomenfant'],
  childFirstName: ['prenomenfant'],
  childClass: ['classeenfant'],
  childExternalId: ['idenfant', 'identifiantenfant'],
  subjects: ['matiereenseignee', 'matieresenseignees', 'discipline', 'disciplines', 'matiere', 'matieres'],
  headTeacher: ['professeurprincipal', 'pp'],
  function: ['fonction', 'fonctions'],
  photoConsent: ['autorisationphoto', 'autorisationsphotos', 'autorisationphotos', 'droitimage', 'droitalimage'],
  associationConsent: ['autorisationassociation', 'autorisationsassociations', 'autorisationassociations'],
  ignored: [
    'sexe',
    'genre',
    'dateinscription',
    'datedinscription',
    'deuxiemeprenom',
    'prenom2',
    'troisiemeprenom',
    'prenom3',
    'communedenaissance',
    'communenaissance',
    'deptdenaissance',
    'departementdenaissance',
    'deptnaissance',
    'paysdenaissance',
    'paysnaissance',
    'pcs',
    'decisiondepassage',
  ],
};

const HEADER_TO_FIELD = new Map<string, BaseField>();
for (const [field, headers] of Object.entries(HEADERS) as [BaseField, string[]][])
  for (const h of headers) HEADER_TO_FIELD.set(h, field);

/** Guardian field for the rest of an R1/R2 header (`r1_nom` → `nom`). */
function guardianFieldOf(rest: string): GuardianField | null {
  const f = HEADER_TO_FIELD.get(rest) ?? HEADER_TO_FIELD.get(rest.replace(/(responsable|resp|representant)$/, ''));
  return f && (GUARDIAN_FIELDS as readonly string[]).includes(f) ? (f as GuardianField) : null;
}

/** Recognise one header; null when unknown. */
export function fieldOfHeader(header: string): CsvField | null {
  const n = normalizeHeader(header);
  if (!n) return null;
  const direct = HEADER_TO_FIELD.get(n);
  if (direct) return direct;
  // Two guardians per row: r1_nom, nom_r1, nom responsable 1, resp1 prenom, representant legal 2 email…
  const marker = /^(?:r|resp|responsable|representantlegal|representant|rl)([12])(.+)$/.exec(n);
  const suffix = /^(.+?)(?:r|resp|responsable|representantlegal|representant|rl)([12])$/.exec(n);
  const which = marker ? marker[1] : suffix ? suffix[2] : null;
  const rest = marker ? marker[2]! : suffix ? suffix[1]! : '';
  if (which) {
    const g = guardianFieldOf(rest);
    if (g) return `r${which as '1' | '2'}.${g}`;
  }
  return null;
}

/**
 * Count separators outside quotes in the header line; the most frequent wins (`;` on a tie or none). Null while
 * the text seen so far does not yet hold a line break after a separator (more text may change the answer).
 */
function separatorOf(text: string, complete: boolean): CsvSeparator | null {
  const counts: Record<CsvSeparator, number> = { ';': 0, ',': 0, '\t': 0 };
  let quoted = false;
  let decided = complete;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      if (counts[';'] + counts[','] + counts['\t'] > 0) {
        decided = true;
        break;
      }
    } else if (!quoted && (ch === ';' || ch === ',' || ch === '\t')) counts[ch]++;
  }
  if (!decided) return null;
  let best: CsvSeparator = ';';
  for (const s of ['\t', ','] as const) if (counts[s] > counts[best]) best = s;
  return best;
}

export function detectSeparator(text: string): CsvSeparator {
  return separatorOf(text, true)!;
}

function guessProfile(fields: Set<CsvField | null>): CsvProfileGuess {
  if (fields.has('profile')) return 'mixed';
  if (fields.has('childLastName') || fields.has('childExternalId') || fields.has('childFirstName')) return 'guardian';
  if (fields.has('subjects') || fields.has('function') || fields.has('headTeacher')) return 'teacher';
  if (fields.has('ine') || fields.has('class') || fields.has('birthDate') || fields.has('r1.lastName'))
    return 'student';
  return null;
}

function mapRow(cells: string[], columns: CsvColumn[], line: number, file: string, anomalies: ImportAnomaly[]): CsvRow {
  const row: CsvRow = {};
  columns.forEach((col, i) => {
    const value = (cells[i] ?? '').trim();
    if (!col.field || col.field === 'ignored' || !value) return;
    if (col.field === 'birthDate') {
      const iso = frenchDateToIso(value);
      if (!iso) {
        anomalies.push({
          code: 'MALFORMED_DATE',
          message: `${col.header} "${value}" is not a valid dd/mm/yyyy date (line ${line})`,
          file,
          record: line,
          line,
          params: { attribute: col.header, value },
        });
        return;
      }
      row.birthDate = iso;
      return;
    }
    if (row[col.field] === undefined) row[col.field] = value;
  });
  return row;
}

/**
 * Apply a (possibly user-corrected) column mapping to the cells of a parsed file.
 * Returns the rows and the anomalies of the mapping (malformed dates).
 */
export function remapCsv(
  parsed: Pick<CsvParseResult, 'cells' | 'lines'>,
  columns: CsvColumn[],
  file = '(input)',
): { rows: CsvRow[]; anomalies: ImportAnomaly[] } {
  const anomalies: ImportAnomaly[] = [];
  const rows = parsed.cells.map((cells, i) => mapRow(cells, columns, parsed.lines[i] ?? i + 2, file, anomalies));
  return { rows, anomalies };
}

export interface CsvParseOptions {
  file?: string;
  /** Force a separator instead of detecting it. */
  separator?: CsvSeparator;
}

/** One row of cells as written in the file, with its 1-based line. */
export interface CsvRecord {
  cells: string[];
  line: number;
}

/** Above this, a header line without any line break is not a CSV header any more. */
const MAX_HEADER_CHARS = 1 << 20;

/**
 * The incremental reader: bytes in, records out (the header first), with memory bounded by one chunk — a
 * file of any size streams through it. Decoding: UTF-8 (BOM stripped) while the bytes are valid UTF-8; at the
 * first invalid sequence the rest of the file is read as windows-1252 (a superset of Latin-1 in practice),
 * the text before it being plain ASCII or valid UTF-8 either way. The separator is detected on the header line.
 */
export class CsvRecordReader {
  encoding: CsvEncoding = 'utf-8';
  bom = false;
  separator: CsvSeparator | null;
  private readonly file: string;
  private started = false;
  private carry: Uint8Array = new Uint8Array(0);
  private pending = '';
  private sawText = false;
  private parser: {
    parse: (buf: Buffer | undefined, end: boolean, push: (r: unknown) => void, close: () => void) => unknown;
  } | null = null;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(file = '(input)', options: { separator?: CsvSeparator } = {}) {
    this.file = file;
    this.separator = options.separator ?? null;
  }

  /** Feed the next bytes; returns the records they complete. */
  push(bytes: Uint8Array): CsvRecord[] {
    return this.text(this.decode(bytes, false), false);
  }

  /** No more bytes: the last records. @throws CsvParseError on an empty file or rows that cannot be split. */
  end(): CsvRecord[] {
    const out = this.text(this.decode(new Uint8Array(0), true), true);
    if (!this.sawText)
      throw new CsvParseError('EMPTY_FILE', 'the file is empty', this.file, null, { variant: 'empty' });
    return out;
  }

  private decode(bytes: Uint8Array, last: boolean): string {
    let b = bytes;
    if (this.carry.length) {
      const joined = new Uint8Array(this.carry.length + b.length);
      joined.set(this.carry);
      joined.set(b, this.carry.length);
      b = joined;
      this.carry = new Uint8Array(0);
    }
    if (!this.started) {
      if (b.length < 3 && !last) {
        this.carry = b;
        return '';
      }
      this.started = true;
      this.bom = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
      if (this.bom) b = b.subarray(3);
    }
    if (this.encoding === 'windows-1252') return iconv.decode(Buffer.from(b), 'windows-1252');
    // Keep an incomplete UTF-8 sequence at the end for the next chunk.
    let cut = b.length;
    if (!last)
      for (let i = b.length - 1; i >= Math.max(0, b.length - 3); i--) {
        const c = b[i]!;
        if ((c & 0xc0) === 0x80) continue;
        if (c >= 0xc0) {
          const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
          if (b.length - i < need) cut = i;
        }
        break;
      }
    if (cut < b.length) this.carry = b.slice(cut);
    const body = b.subarray(0, cut);
    try {
      return this.utf8.decode(body);
    } catch {
      this.encoding = 'windows-1252';
      const rest = this.carry.length ? Buffer.concat([body, this.carry]) : Buffer.from(body);
      this.carry = new Uint8Array(0);
      return iconv.decode(rest, 'windows-1252');
    }
  }

  private text(chunk: string, last: boolean): CsvRecord[] {
    if (chunk && !this.sawText && chunk.trim()) this.sawText = true;
    const out: CsvRecord[] = [];
    if (!this.parser) {
      this.pending += chunk;
      if (!this.sawText && !last) {
        // Only blank space so far: keep at most a little of it.
        if (this.pending.length > MAX_HEADER_CHARS) this.pending = this.pending.slice(-1024);
        return out;
      }
      const sep = this.separator ?? separatorOf(this.pending, last || this.pending.length > MAX_HEADER_CHARS);
      if (!sep) return out;
      this.separator = sep;
      const { Parser } = csvParse;
      this.parser = (
        new Parser({
          delimiter: sep,
          relax_column_count: true,
          relax_quotes: true,
          skip_empty_lines: true,
          skip_records_with_empty_values: true,
          info: true,
          bom: false,
        }) as unknown as { api: NonNullable<CsvRecordReader['parser']> }
      ).api;
      chunk = this.pending;
      this.pending = '';
    }
    const err = this.parser.parse(
      chunk ? Buffer.from(chunk) : last ? undefined : Buffer.alloc(0),
      last,
      (r) => {
        const rec = r as { record: string[]; info: { lines: number } };
        out.push({ cells: rec.record, line: rec.info.lines });
      },
      () => {},
    );
    if (err) {
      const e = err as Error & { lines?: number };
      throw new CsvParseError('MALFORMED_CSV', `cannot read the rows: ${e.message}`, this.file, e.lines ?? null, {
        error: e.message,
      });
    }
    return out;
  }
}

/** The columns of a header row: each header's field, a repeated field left unmapped (reported). */
export function columnsOfHeader(header: CsvRecord, file: string, anomalies: ImportAnomaly[]): CsvColumn[] {
  const seen = new Set<CsvField>();
  return header.cells.map((h) => {
    const headerText = h.trim();
    let field = fieldOfHeader(headerText);
    if (field && field !== 'ignored') {
      if (seen.has(field)) {
        anomalies.push({
          code: 'DUPLICATE_COLUMN',
          message: `column "${headerText}" maps to ${field} like an earlier column: left unmapped`,
          file,
          record: header.line,
          line: header.line,
          params: { column: headerText, field },
        });
        field = null;
      } else seen.add(field);
    }
    return { header: headerText, field };
  });
}

/** The profile the columns suggest (null: cannot tell). */
export function profileOfColumns(columns: CsvColumn[]): CsvProfileGuess {
  return guessProfile(new Set(columns.map((c) => c.field)));
}

/** One row's mapped values (and its malformed dates, reported). */
export function mapCsvRecord(
  record: CsvRecord,
  columns: CsvColumn[],
  file: string,
  anomalies: ImportAnomaly[],
): CsvRow {
  return mapRow(record.cells, columns, record.line, file, anomalies);
}

/**
 * Parse a whole directory CSV file held in memory (small files, tests); imports and previews stream theirs
 * through `CsvRecordReader`.
 * @throws CsvParseError when the file is empty or cannot be split into rows (unclosed quote…).
 */
export function parseCsv(input: Uint8Array | string, options: CsvParseOptions = {}): CsvParseResult {
  const file = options.file ?? '(input)';
  const reader = new CsvRecordReader(file, { separator: options.separator });
  const records = [...reader.push(typeof input === 'string' ? Buffer.from(input) : input), ...reader.end()];
  const [header, ...data] = records;
  if (!header)
    throw new CsvParseError('EMPTY_FILE', 'the file has no header line', file, null, { variant: 'noHeader' });
  const anomalies: ImportAnomaly[] = [];
  const columns = columnsOfHeader(header, file, anomalies);
  const cells = data.map((r) => r.cells);
  const lines = data.map((r) => r.line);
  const { rows, anomalies: rowAnomalies } = remapCsv({ cells, lines }, columns, file);
  return {
    encoding: reader.encoding,
    bom: reader.bom,
    separator: reader.separator ?? ';',
    columns,
    rows,
    cells,
    lines,
    unknownColumns: columns.filter((c) => c.field === null).map((c) => c.header),
    profile: profileOfColumns(columns),
    anomalies: [...anomalies, ...rowAnomalies],
  };
}

export type CsvGuardian = Partial<Record<GuardianField, string>>;

/** The R1 and R2 guardians carried by a student's row (those with at least a name). */
export function guardiansOfStudentRow(row: CsvRow): { rank: 1 | 2; guardian: CsvGuardian }[] {
  const out: { rank: 1 | 2; guardian: CsvGuardian }[] = [];
  for (const rank of [1, 2] as const) {
    const g: CsvGuardian = {};
    for (const f of GUARDIAN_FIELDS) {
      const v = row[`r${rank}.${f}`];
      if (v) g[f] = v;
    }
    if (g.lastName || g.firstName) out.push({ rank, guardian: g });
  }
  return out;
}

export interface CsvChildRef {
  externalId?: string;
  lastName?: string;
  firstName?: string;
  class?: string;
  line: number;
}

export interface GroupedGuardian {
  guardian: CsvRow;
  children: CsvChildRef[];
  /** Lines of the file this guardian was read from. */
  lines: number[];
}

function identityKey(row: CsvRow): string {
  if (row.externalId) return `id:${row.externalId}`;
  const n = (s: string | undefined) => normalizeHeader(s ?? '');
  const contact = n(row.email) || n(row.mobilePhone) || n(row.phone) || n(row.homePhone) || n(row.address1);
  return `name:${n(row.lastName)}|${n(row.firstName)}|${contact}`;
}

/**
 * Files with one row per guardian × child: group the rows of one guardian (same external id, else same names
 * and first contact) and list their children. Guardian fields come from the first row, filled in by later ones.
 */
export function groupGuardianRows(rows: CsvRow[], lines: number[] = rows.map((_, i) => i + 2)): GroupedGuardian[] {
  const byKey = new Map<string, GroupedGuardian>();
  rows.forEach((row, i) => {
    const line = lines[i] ?? i + 2;
    const { childLastName, childFirstName, childClass, childExternalId, ...guardianFields } = row;
    const key = identityKey(row);
    let g = byKey.get(key);
    if (!g) {
      g = { guardian: { ...guardianFields }, children: [], lines: [] };
      byKey.set(key, g);
    } else {
      for (const [f, v] of Object.entries(guardianFields) as [CsvField, string][])
        if (g.guardian[f] === undefined) g.guardian[f] = v;
    }
    g.lines.push(line);
    if (childLastName || childFirstName || childExternalId) {
      const child: CsvChildRef = { line };
      if (childExternalId) child.externalId = childExternalId;
      if (childLastName) child.lastName = childLastName;
      if (childFirstName) child.firstName = childFirstName;
      if (childClass) child.class = childClass;
      const dup = g.children.some((c) =>
        c.externalId && child.externalId
          ? c.externalId === child.externalId
          : c.lastName === child.lastName && c.firstName === child.firstName,
      );
      if (!dup) g.children.push(child);
    }
  });
  return [...byKey.values()];
}
