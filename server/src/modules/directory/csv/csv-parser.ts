/**
 * Directory CSV files as schools produce them (../shared/reference/csv.md): separator, encoding and
 * headers are detected; each column is mapped to a canonical field or left unmapped for the mapping step.
 * Pure: no database. Files are small (a school's students), so they are read whole.
 */
import { parse } from 'csv-parse/sync';
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
  title: ['civilite', 'sexe', 'genre'],
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

/** Decode: UTF-8 (BOM stripped) when valid, else windows-1252 (a superset of Latin-1 in practice). */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvEncoding; bom: boolean } {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8', bom };
  } catch {
    return { text: iconv.decode(Buffer.from(body), 'windows-1252'), encoding: 'windows-1252', bom };
  }
}

/** Count separators outside quotes in the header line; the most frequent wins (`;` on a tie or none). */
export function detectSeparator(text: string): CsvSeparator {
  const counts: Record<CsvSeparator, number> = { ';': 0, ',': 0, '\t': 0 };
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      if (counts[';'] + counts[','] + counts['\t'] > 0) break;
    } else if (!quoted && (ch === ';' || ch === ',' || ch === '\t')) counts[ch]++;
  }
  let best: CsvSeparator = ';';
  for (const s of ['\t', ','] as const) if (counts[s] > counts[best]) best = s;
  return best;
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

/**
 * Parse a directory CSV file.
 * @throws CsvParseError when the file is empty or cannot be split into rows (unclosed quote…).
 */
export function parseCsv(input: Uint8Array | string, options: CsvParseOptions = {}): CsvParseResult {
  const file = options.file ?? '(input)';
  const decoded =
    typeof input === 'string'
      ? { text: input.replace(/^\uFEFF/, ''), encoding: 'utf-8' as const, bom: input.startsWith('\uFEFF') }
      : decodeCsv(input);
  const text = decoded.text;
  if (!text.trim()) throw new CsvParseError('EMPTY_FILE', 'the file is empty', file, null, { variant: 'empty' });
  const separator = options.separator ?? detectSeparator(text);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter: separator,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      info: true,
      bom: false,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new CsvParseError('MALFORMED_CSV', `cannot read the rows: ${e.message}`, file, e.lines ?? null, {
      error: e.message,
    });
  }
  const [header, ...data] = records;
  if (!header)
    throw new CsvParseError('EMPTY_FILE', 'the file has no header line', file, null, { variant: 'noHeader' });
  const anomalies: ImportAnomaly[] = [];
  const seen = new Set<CsvField>();
  const columns: CsvColumn[] = header.record.map((h) => {
    const headerText = h.trim();
    let field = fieldOfHeader(headerText);
    if (field && field !== 'ignored') {
      if (seen.has(field)) {
        anomalies.push({
          code: 'DUPLICATE_COLUMN',
          message: `column "${headerText}" maps to ${field} like an earlier column: left unmapped`,
          file,
          record: header.info.lines,
          line: header.info.lines,
          params: { column: headerText, field },
        });
        field = null;
      } else seen.add(field);
    }
    return { header: headerText, field };
  });
  const cells = data.map((r) => r.record);
  const lines = data.map((r) => r.info.lines);
  const { rows, anomalies: rowAnomalies } = remapCsv({ cells, lines }, columns, file);
  return {
    encoding: decoded.encoding,
    bom: decoded.bom,
    separator,
    columns,
    rows,
    cells,
    lines,
    unknownColumns: columns.filter((c) => c.field === null).map((c) => c.header),
    profile: guessProfile(new Set(columns.map((c) => c.field))),
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
