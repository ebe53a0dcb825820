/**
 * Streaming parser of AAF XML files (`ficAlimMENESR`), see ../shared/reference/aaf.md.
 *
 * The input is read chunk by chunk (a Node Readable or any async iterable of bytes), decoded with the
 * encoding declared in the XML prolog (UTF-8, ISO-8859-15, ISO-8859-1/windows-1252, UTF-16 with a BOM)
 * and fed to a SAX parser: a file of tens of MB is never held whole in memory. Each request comes out as
 * a typed record. No database access here: the importer consumes the records.
 *
 * Errors: a file that cannot be read as AAF (not XML, wrong root, truncated, undeclared/invalid encoding)
 * throws an `AafParseError` carrying the file, the request number and the line; problems confined to one
 * request (no identifier, attr without name) are reported through `onAnomaly` and the request is skipped.
 * Records yielded before a fatal error have been read correctly, but the importer must treat the whole file
 * as failed (an import applies whole or not at all).
 */
import iconv from 'iconv-lite';
import sax from 'sax';
import type { AnomalyParams, ImportAnomaly } from './values.ts';

export type AafRequestKind = 'add' | 'modify' | 'delete';

export interface AafRecord {
  kind: AafRequestKind;
  /** Value of the operational attribute (`Eleve`, `PersEducNat`, `EtabEducNat`…), null when absent. */
  category: string | null;
  /** The join key (`identifier/id`). */
  id: string;
  /** Attributes by name, each with its values in file order (trimmed, empty values dropped). */
  attrs: Record<string, string[]>;
  /** 1-based number of the request in the file (counting every request, even skipped ones). */
  index: number;
  /** 1-based line where the request starts. */
  line: number;
}

export type AafEncoding = 'utf-8' | 'iso-8859-15' | 'windows-1252' | 'utf-16le' | 'utf-16be';

export type AafErrorCode =
  | 'READ_ERROR'
  | 'NOT_XML'
  | 'EMPTY_FILE'
  | 'WRONG_ROOT'
  | 'MALFORMED_XML'
  | 'TRUNCATED_XML'
  | 'UNSUPPORTED_ENCODING'
  | 'INVALID_ENCODING';

export class AafParseError extends Error {
  readonly code: AafErrorCode;
  readonly file: string;
  /** 1-based request number where the error was found (the request being read, or the next one). */
  readonly record: number | null;
  readonly line: number | null;
  readonly column: number | null;
  /** The values of the detail, for the report (see ImportAnomaly.params). */
  readonly params: AnomalyParams | undefined;

  constructor(
    code: AafErrorCode,
    detail: string,
    where: { file: string; record: number | null; line?: number | null; column?: number | null },
    params?: AnomalyParams,
  ) {
    const pos = where.line ? ` (line ${where.line}${where.column ? `, column ${where.column}` : ''})` : '';
    super(`${where.file}: ${detail}${pos}`);
    this.name = 'AafParseError';
    this.code = code;
    this.file = where.file;
    this.record = where.record;
    this.line = where.line ?? null;
    this.column = where.column ?? null;
    this.params = params;
  }

  toAnomaly(): ImportAnomaly {
    const a: ImportAnomaly = { code: this.code, message: this.message, file: this.file, record: this.record };
    if (this.line) a.line = this.line;
    a.params = this.params ?? {};
    return a;
  }
}

export interface AafParseOptions {
  /** File name used in errors and anomalies. */
  file?: string;
  /** Called for each non-fatal problem (the request concerned is skipped or kept as noted). */
  onAnomaly?: (anomaly: ImportAnomaly) => void;
  /**
   * What to do when the bytes are not valid in the declared encoding (typically a Latin-1 file declared
   * UTF-8): `error` (default) stops with INVALID_ENCODING; `anomaly` reports it once and goes on with
   * U+FFFD replacement characters.
   */
  invalidEncoding?: 'error' | 'anomaly';
  /** Called once the encoding is known. */
  onEncoding?: (encoding: AafEncoding) => void;
}

const REQUEST_KINDS: Record<string, AafRequestKind> = {
  addRequest: 'add',
  modifyRequest: 'modify',
  deleteRequest: 'delete',
};

const CATEGORY_ATTRS = new Set(['categoriePersonne', 'categorieStructure', 'categorieMatiere', 'categorieMef']);

/** How many leading bytes are examined for a BOM and the XML declaration. */
const SNIFF_BYTES = 1024;

/** Map an encoding label of the XML declaration to a decoder, null when unsupported. */
export function encodingFromLabel(label: string): AafEncoding | null {
  const l = label.trim().toLowerCase().replace(/_/g, '-');
  if (l === 'utf-8' || l === 'utf8') return 'utf-8';
  if (['iso-8859-15', 'iso8859-15', 'latin-9', 'latin9', 'l9'].includes(l)) return 'iso-8859-15';
  // ISO-8859-1 as declared by real producers is almost always windows-1252 (its superset in practice).
  if (['iso-8859-1', 'iso8859-1', 'latin-1', 'latin1', 'l1', 'windows-1252', 'cp1252', 'us-ascii', 'ascii'].includes(l))
    return 'windows-1252';
  if (l === 'utf-16le') return 'utf-16le';
  if (l === 'utf-16be') return 'utf-16be';
  return null;
}

/** Detect the encoding from a BOM or the XML declaration of the first bytes. */
export function sniffEncoding(head: Uint8Array): { encoding: AafEncoding | null; declared: string | null } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', declared: null };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', declared: null };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', declared: null };
  if (head[0] === 0x3c && head[1] === 0x00 && head[2] === 0x3f && head[3] === 0x00)
    return { encoding: 'utf-16le', declared: null };
  if (head[0] === 0x00 && head[1] === 0x3c && head[2] === 0x00 && head[3] === 0x3f)
    return { encoding: 'utf-16be', declared: null };
  const ascii = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  const m = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']{1,40})["']/.exec(ascii);
  if (!m) return { encoding: 'utf-8', declared: null };
  return { encoding: encodingFromLabel(m[1]!), declared: m[1]! };
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

interface OpenRequest {
  kind: AafRequestKind;
  index: number;
  line: number;
  category: string | null;
  id: string | null;
  attrs: Record<string, string[]>;
}

/**
 * Parse an AAF file. Yields one record per request, in file order.
 * @throws AafParseError when the file cannot be read as AAF (see AafErrorCode).
 */
export async function* parseAaf(
  input: AsyncIterable<Uint8Array | string>,
  options: AafParseOptions = {},
): AsyncGenerator<AafRecord, void, undefined> {
  const file = options.file ?? '(input)';
  const report = options.onAnomaly ?? (() => {});
  const invalidEncoding = options.invalidEncoding ?? 'error';

  const parser = sax.parser(true, { trim: false, normalize: false, position: true });
  const ready: AafRecord[] = [];
  let fatal: AafParseError | null = null;
  let sawRoot = false;
  let requestCount = 0;
  let depth = 0;
  let request: OpenRequest | null = null;
  /** Section of the current request: the element at depth 3 (operationalAttributes, identifier, attributes…). */
  let section: string | null = null;
  let attrName: string | null = null;
  let attrValues: string[] | null = null;
  let attrDirectText = '';
  let attrHadValue = false;
  let inValue = false;
  let valueText = '';
  let idText = '';

  const fail = (code: AafErrorCode, detail: string, params?: AnomalyParams) => {
    if (fatal) return;
    fatal = new AafParseError(
      code,
      detail,
      {
        file,
        record: request ? request.index : requestCount + 1,
        line: parser.line + 1,
        column: parser.column + 1,
      },
      params,
    );
  };
  const anomaly = (code: string, message: string, extra: Partial<ImportAnomaly> = {}) => {
    report({ code, message, file, record: request ? request.index : null, ...extra });
  };

  parser.onerror = (err: Error) => {
    const msg = firstLine(err.message);
    if (!sawRoot) fail('NOT_XML', `not an XML document: ${msg}`, { error: msg });
    else if (/unclosed root tag|unexpected end/i.test(msg))
      fail('TRUNCATED_XML', `truncated XML: ${msg}`, { error: msg });
    else fail('MALFORMED_XML', `malformed XML: ${msg}`, { error: msg });
  };

  parser.onopentag = (tag) => {
    if (fatal) return;
    const name = localName(tag.name);
    depth++;
    if (depth === 1) {
      sawRoot = true;
      if (name !== 'ficAlimMENESR')
        fail('WRONG_ROOT', `root element is <${tag.name}>, expected <ficAlimMENESR>`, {
          element: tag.name,
          expected: 'ficAlimMENESR',
        });
      return;
    }
    if (depth === 2) {
      const kind = REQUEST_KINDS[name];
      if (kind) {
        requestCount++;
        request = {
          kind,
          index: requestCount,
          line: parser.line + 1,
          category: null,
          id: null,
          attrs: Object.create(null) as Record<string, string[]>,
        };
      }
      return;
    }
    if (!request) return;
    if (depth === 3) {
      section = name;
      idText = '';
      return;
    }
    if (depth === 4 && (name === 'attr' || name === 'modification')) {
      const n = tag.attributes.name;
      const attrNameValue = typeof n === 'string' ? n.trim() : '';
      attrDirectText = '';
      attrHadValue = false;
      if (!attrNameValue) {
        anomaly('MALFORMED_VALUE', `<${name}> without a name attribute in request ${request.index}`, {
          line: parser.line + 1,
          params: { variant: 'attrWithoutName', element: name, request: request.index },
        });
        attrName = null;
        attrValues = null;
        return;
      }
      attrName = attrNameValue;
      attrValues = [];
      return;
    }
    if (depth === 5 && attrValues && (name === 'value' || name === 'valeur')) {
      inValue = true;
      attrHadValue = true;
      valueText = '';
    }
  };

  const onText = (text: string) => {
    if (fatal || !request) return;
    if (inValue) valueText += text;
    else if (section === 'identifier' && depth >= 3) idText += text;
    else if (depth === 4 && attrValues) attrDirectText += text;
  };
  parser.ontext = onText;
  parser.oncdata = onText;

  parser.onclosetag = (tagName: string) => {
    if (fatal) {
      depth--;
      return;
    }
    const name = localName(tagName);
    if (request) {
      if (depth === 5 && inValue) {
        inValue = false;
        const v = valueText.trim();
        if (v && attrValues) attrValues.push(v);
      } else if (depth === 4 && attrName && attrValues) {
        if (!attrHadValue && attrDirectText.trim()) attrValues.push(attrDirectText.trim());
        if (section === 'operationalAttributes') {
          if (CATEGORY_ATTRS.has(attrName) && attrValues[0]) request.category = attrValues[0];
        } else {
          const existing = request.attrs[attrName];
          if (existing) existing.push(...attrValues);
          else request.attrs[attrName] = attrValues;
        }
        attrName = null;
        attrValues = null;
      } else if (depth === 3) {
        if (section === 'identifier') {
          const id = idText.trim();
          if (id) request.id = id;
        }
        section = null;
      } else if (depth === 2 && REQUEST_KINDS[name]) {
        const r: OpenRequest = request;
        request = null;
        if (!r.id) {
          report({
            code: 'MISSING_KEY',
            message: `request ${r.index} (${r.kind}) has no identifier: skipped`,
            file,
            record: r.index,
            line: r.line,
            params: { request: r.index, operation: r.kind },
          });
        } else {
          if (!r.category)
            report({
              code: 'MISSING_CATEGORY',
              message: `request ${r.index} has no categorie* operational attribute`,
              file,
              record: r.index,
              key: r.id,
              line: r.line,
              params: { request: r.index },
            });
          ready.push({ kind: r.kind, category: r.category, id: r.id, attrs: r.attrs, index: r.index, line: r.line });
        }
      }
    }
    depth--;
  };

  let decoder = null as iconv.DecoderStream | null;
  let encoding: AafEncoding | null = null;
  let textMode = false;
  let head: Buffer | null = Buffer.alloc(0);
  let reportedInvalid = false;

  const feed = (input: string) => {
    let text = input;
    if (!text || fatal) return;
    const bad =
      reportedInvalid || !(encoding === 'utf-8' || encoding?.startsWith('utf-16')) ? -1 : text.indexOf('\uFFFD');
    if (bad >= 0) {
      reportedInvalid = true;
      // Parse what precedes the bad bytes so that the line and request number point at them.
      try {
        parser.write(text.slice(0, bad));
      } catch {
        // reported through onerror
      }
      text = text.slice(bad);
      if (fatal) return;
      const detail = `bytes that are not valid ${encoding}: the file is probably in another encoding than declared`;
      const params = { encoding: encoding ?? '' };
      if (invalidEncoding === 'error') {
        fatal = new AafParseError(
          'INVALID_ENCODING',
          detail,
          { file, record: request ? request.index : requestCount + 1, line: parser.line + 1 },
          params,
        );
        return;
      }
      anomaly('INVALID_ENCODING', detail, { line: parser.line + 1, params });
    }
    try {
      parser.write(text);
    } catch (err) {
      // sax throws only after an error already reported through onerror; keep the first one.
      if (!fatal) {
        const msg = firstLine((err as Error).message);
        fail('MALFORMED_XML', `malformed XML: ${msg}`, { error: msg });
      }
    }
  };

  const startDecoding = (bytes: Buffer) => {
    const sniffed = sniffEncoding(bytes);
    if (!sniffed.encoding) {
      fatal = new AafParseError(
        'UNSUPPORTED_ENCODING',
        `unsupported encoding "${sniffed.declared}"`,
        { file, record: null, line: 1 },
        { encoding: sniffed.declared ?? '' },
      );
      return;
    }
    encoding = sniffed.encoding;
    options.onEncoding?.(encoding);
    decoder = iconv.getDecoder(encoding);
    feed(decoder.write(bytes));
  };

  try {
    for await (const chunk of input) {
      if (typeof chunk === 'string') {
        if (head && head.length === 0 && !decoder) {
          textMode = true;
          head = null;
          encoding = 'utf-8';
          options.onEncoding?.(encoding);
        }
        if (textMode) feed(chunk);
        else if (decoder) feed(decoder.write(Buffer.from(chunk, 'utf8')));
        else head = Buffer.concat([head ?? Buffer.alloc(0), Buffer.from(chunk, 'utf8')]);
      } else {
        const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        if (textMode) feed(bytes.toString('utf8'));
        else if (decoder) feed(decoder.write(bytes));
        else {
          head = Buffer.concat([head ?? Buffer.alloc(0), bytes]);
          if (head.length >= SNIFF_BYTES) {
            const h = head;
            head = null;
            startDecoding(h);
          }
        }
      }
      if (ready.length) yield* ready.splice(0);
      if (fatal) throw fatal;
    }
  } catch (err) {
    if (err instanceof AafParseError) throw err;
    throw new AafParseError(
      'READ_ERROR',
      `cannot read the file: ${(err as Error).message}`,
      { file, record: requestCount + 1 },
      { error: (err as Error).message },
    );
  }

  if (!textMode && !decoder && head) {
    if (head.length === 0)
      throw new AafParseError('EMPTY_FILE', 'the file is empty', { file, record: null }, { variant: 'empty' });
    startDecoding(head);
  }
  if (decoder && !fatal) feed((decoder as iconv.DecoderStream).end() ?? '');
  if (!fatal) {
    try {
      parser.close();
    } catch (err) {
      if (!fatal) {
        const msg = firstLine((err as Error).message);
        fail('MALFORMED_XML', `malformed XML: ${msg}`, { error: msg });
      }
    }
  }
  if (ready.length) yield* ready.splice(0);
  if (fatal) throw fatal;
  if (!sawRoot)
    throw new AafParseError(
      'EMPTY_FILE',
      'the file holds no XML element',
      { file, record: null, line: null },
      { variant: 'noElement' },
    );
}

export interface AafReadResult {
  records: AafRecord[];
  anomalies: ImportAnomaly[];
  /** The fatal error, as an anomaly, when the file could not be read whole. */
  error: ImportAnomaly | null;
  encoding: AafEncoding | null;
}

/** Read a whole AAF input into memory (tests, small files, dry runs); never throws. */
export async function readAaf(
  input: AsyncIterable<Uint8Array | string>,
  options: Omit<AafParseOptions, 'onAnomaly' | 'onEncoding'> = {},
): Promise<AafReadResult> {
  const anomalies: ImportAnomaly[] = [];
  const records: AafRecord[] = [];
  let encoding: AafEncoding | null = null;
  try {
    for await (const r of parseAaf(input, {
      ...options,
      onAnomaly: (a) => anomalies.push(a),
      onEncoding: (e) => {
        encoding = e;
      },
    }))
      records.push(r);
  } catch (err) {
    const error =
      err instanceof AafParseError
        ? err.toAnomaly()
        : {
            code: 'READ_ERROR',
            message: String(err),
            file: options.file ?? '(input)',
            record: null,
            params: { error: String(err) },
          };
    return { records, anomalies, error, encoding };
  }
  return { records, anomalies, error: null, encoding };
}

export const AAF_FILE_TYPES = [
  'EtabEducNat',
  'Eleve',
  'PersRelEleve',
  'PersEducNat',
  'MatiereEducNat',
  'MefEducNat',
] as const;
export type AafFileType = (typeof AAF_FILE_TYPES)[number];

export interface AafFileKind {
  /** Everything before the mode word, e.g. `ENT2D` or `ENT_0931234X`. */
  prefix: string;
  /** True for a full export (`Complet`), false for a delta. */
  full: boolean;
  /** The mode word as written (`Complet`, `Delta`…). */
  mode: string;
  /** Export date, ISO `yyyy-mm-dd`. */
  date: string;
  type: AafFileType;
  /** Part number (files of one type can be split: `_0001`, `_0002`…). */
  part: number;
}

const FILE_NAME = new RegExp(
  `^(.+?)_([A-Za-z]+)_(\\d{4})(\\d{2})(\\d{2})_(${AAF_FILE_TYPES.join('|')})_(\\d{1,6})\\.xml$`,
  'i',
);

/**
 * Parse an AAF file name `<prefix>_Complet_<YYYYMMDD>_<Type>_<NNNN>.xml` (any other mode word is a delta).
 * A directory part is ignored. Returns null when the name does not follow the pattern or the date is invalid.
 */
export function fileKind(name: string): AafFileKind | null {
  const base = name.split(/[\\/]/).pop() ?? name;
  const m = FILE_NAME.exec(base);
  if (!m) return null;
  const [, prefix, mode, y, mo, d, type, part] = m;
  const date = `${y}-${mo}-${d}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) return null;
  const canonicalType = AAF_FILE_TYPES.find((t) => t.toLowerCase() === type!.toLowerCase())!;
  return {
    prefix: prefix!,
    full: mode!.toLowerCase() === 'complet',
    mode: mode!,
    date,
    type: canonicalType,
    part: Number(part),
  };
}
