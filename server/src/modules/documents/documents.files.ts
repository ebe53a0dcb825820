import { fileTypeFromBuffer } from 'file-type';
import { AppError } from '../../platform/errors.ts';

/**
 * What a file may be called and what it may contain. Names are normalised (NFC, spaces collapsed, trimmed) and
 * refused when they hold a path (`/`, `\`, `..`) or a control character (including the bidirectional overrides
 * that disguise `exe.pdf` as `fdp.exe`). Types are read from the bytes (magic numbers), never from the name or
 * the browser's word: executables are refused, and a name whose extension promises a type the bytes do not
 * have is refused too.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

export function cleanName(raw: string): string {
  const n = raw.normalize('NFC');
  if (CONTROL.test(n)) throw nameError(raw, 'control');
  if (/[\\/]/.test(n)) throw nameError(raw, 'path');
  const t = n.replace(/\s+/g, ' ').trim();
  if (t === '' || /^\.+$/.test(t)) throw nameError(raw, 'empty');
  if (t.length > 200) throw nameError(raw, 'long');
  return t;
}

const REASONS = {
  control: { fr: 'il contient un caractère de contrôle', en: 'it contains a control character' },
  path: { fr: 'il contient une barre oblique (/ ou \\)', en: 'it contains a slash (/ or \\)' },
  empty: { fr: 'il est vide', en: 'it is empty' },
  long: { fr: 'il dépasse 200 caractères', en: 'it is longer than 200 characters' },
};

function nameError(raw: string, reason: keyof typeof REASONS) {
  // The name is echoed without its control characters, shortened.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: see CONTROL
  const shown = raw.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '�').slice(0, 80);
  return new AppError(400, 'DOCUMENT_NAME_INVALID', {
    vars: { name: shown, reason: REASONS[reason].fr, reasonEn: REASONS[reason].en },
    errors: [{ path: 'body.name', message: REASONS[reason].en }],
  });
}

/** Detected types never accepted: programs and packages that run when opened. */
const REFUSED_TYPES = new Set([
  'exe',
  'elf',
  'macho',
  'class',
  'jar',
  'apk',
  'wasm',
  'swf',
  'deb',
  'rpm',
  'cab',
  'lnk',
  'crx',
  'xpi',
  'dmg',
  'reg',
  'chm',
  'asar',
  // Office documents with macros
  'docm',
  'dotm',
  'xlsm',
  'xltm',
  'pptm',
  'potm',
  'ppsm',
]);

/** Names of programs Windows runs on a double click, even when their bytes are plain text. */
const REFUSED_EXTENSIONS = new Set([
  'exe',
  'com',
  'bat',
  'cmd',
  'scr',
  'pif',
  'msi',
  'msp',
  'dll',
  'vbs',
  'vbe',
  'jse',
  'wsf',
  'wsh',
  'hta',
  'cpl',
  'lnk',
  'ps1',
  'reg',
  'jar',
  'apk',
  'app',
  'deb',
  'rpm',
  'docm',
  'xlsm',
  'pptm',
]);

/** An extension that promises a type: the bytes must be of one of these detected types. */
const PROMISES: Record<string, string[]> = {
  pdf: ['pdf'],
  png: ['png', 'apng'],
  jpg: ['jpg'],
  jpeg: ['jpg'],
  gif: ['gif'],
  webp: ['webp'],
  bmp: ['bmp'],
  tif: ['tif'],
  tiff: ['tif'],
  heic: ['heic'],
  docx: ['docx', 'zip'],
  xlsx: ['xlsx', 'zip'],
  pptx: ['pptx', 'zip'],
  odt: ['odt', 'zip'],
  ods: ['ods', 'zip'],
  odp: ['odp', 'zip'],
  odg: ['odg', 'zip'],
  doc: ['cfb'],
  xls: ['cfb'],
  ppt: ['cfb'],
  zip: ['zip'],
  mp3: ['mp3'],
  mp4: ['mp4', 'm4v', 'm4a'],
  m4a: ['m4a', 'mp4'],
  ogg: ['ogg', 'oga', 'opus'],
  wav: ['wav'],
  webm: ['webm'],
  mov: ['mov', 'mp4'],
  epub: ['epub', 'zip'],
};

const TEXT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

/** Types shown in the browser (`Content-Disposition: inline` when asked); anything else downloads. */
export const PREVIEWABLE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);

const extensionOf = (name: string) => {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
};

/** Text: no NUL byte and valid UTF-8 in the first bytes (a cut multi-byte character at the end is fine). */
function looksLikeText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(head);
  const bad = (decoded.match(/\uFFFD/g) ?? []).length;
  return bad <= 1;
}

/**
 * The type of an upload, from its first bytes: its MIME type, or a 415 problem (`DOCUMENT_TYPE_REFUSED` for a
 * program, `DOCUMENT_TYPE_MISMATCH` when the name promises another type).
 */
export async function typeOf(name: string, head: Buffer): Promise<string> {
  const ext = extensionOf(name);
  const detected = await fileTypeFromBuffer(head);
  if ((detected && REFUSED_TYPES.has(detected.ext)) || REFUSED_EXTENSIONS.has(ext)) {
    throw new AppError(415, 'DOCUMENT_TYPE_REFUSED', { vars: { name: name.slice(0, 80) } });
  }
  const promised = PROMISES[ext];
  if (promised && !(detected && promised.includes(detected.ext))) {
    throw new AppError(415, 'DOCUMENT_TYPE_MISMATCH', { vars: { name: name.slice(0, 80), ext } });
  }
  if (detected) return detected.mime;
  if (looksLikeText(head)) return TEXT_TYPES[ext] ?? 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

/**
 * `Content-Disposition` safe for any name: an ASCII fallback (quotes, backslashes and anything outside printable
 * ASCII replaced) and the exact name in RFC 5987 `filename*`.
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Headers of a file's bytes. Nothing served here runs in our origin: `nosniff`, a sandboxing CSP (PDF excepted,
 * which the browser's viewer needs unsandboxed; it runs no script of ours either), and only images and PDF
 * inline when asked.
 */
export function contentHeaders(name: string, mime: string, wanted: 'inline' | 'attachment' | undefined) {
  const inline = wanted === 'inline' && PREVIEWABLE.has(mime);
  return {
    'content-type': mime,
    'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', name),
    'x-content-type-options': 'nosniff',
    'content-security-policy':
      mime === 'application/pdf' && inline
        ? "default-src 'none'; frame-ancestors 'self'"
        : "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'",
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'private, no-cache',
    'accept-ranges': 'bytes',
  };
}

/** A single `Range: bytes=a-b` (or `a-`, `-n`) within `size`; null for none or several (the whole file is sent). */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'invalid' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  let start: number;
  let end: number;
  if (a === '') {
    start = Math.max(0, size - Number(b));
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}
