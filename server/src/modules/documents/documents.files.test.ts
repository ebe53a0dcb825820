import { describe, expect, test } from 'vitest';
import { exeBytes, PNG, pdfBytes } from '../../../test/documents.ts';
import { AppError } from '../../platform/errors.ts';
import { cleanName, contentDisposition, contentHeaders, parseRange, typeOf } from './documents.files.ts';

/** Names, types by content and the headers files are served with. */
const code = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === 'function' ? p() : p);
    return null;
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
};

describe('names', () => {
  test('normalised, and refused with a path or a control character', async () => {
    expect(cleanName(' a   b  c.pdf ')).toBe('a b c.pdf');
    expect(cleanName('e\u0301te\u0301.txt')).toBe('été.txt');
    for (const bad of [
      '../x',
      'a/b',
      'a\\b',
      '',
      '   ',
      '.',
      '..',
      'a\u0000b',
      'a\u202eb',
      'x'.repeat(201),
      'a\u0085b',
      'tab\there',
    ]) {
      expect(await code(() => cleanName(bad)), JSON.stringify(bad)).toBe('DOCUMENT_NAME_INVALID');
    }
  });
});

describe('types, by the bytes', () => {
  test('what the bytes are, never what the name or the browser says', async () => {
    expect(await typeOf('fiche.pdf', pdfBytes())).toBe('application/pdf');
    expect(await typeOf('image', PNG)).toBe('image/png');
    expect(await typeOf('notes.txt', Buffer.from('Bonjour à tous'))).toBe('text/plain; charset=utf-8');
    expect(await typeOf('notes.csv', Buffer.from('a;b\n1;2\n'))).toBe('text/csv; charset=utf-8');
    expect(await typeOf('data.bin', Buffer.from([0, 1, 2, 255, 0, 7]))).toBe('application/octet-stream');
  });

  test('programs are refused whatever their name; a name promising another type is refused', async () => {
    expect(await code(typeOf('fiche.pdf', exeBytes()))).toBe('DOCUMENT_TYPE_REFUSED');
    expect(await code(typeOf('fiche', exeBytes()))).toBe('DOCUMENT_TYPE_REFUSED');
    expect(await code(typeOf('script.vbs', Buffer.from('MsgBox "x"')))).toBe('DOCUMENT_TYPE_REFUSED');
    expect(await code(typeOf('photo.jpg', PNG))).toBe('DOCUMENT_TYPE_MISMATCH');
    expect(await code(typeOf('cours.docx', Buffer.from('pas un zip')))).toBe('DOCUMENT_TYPE_MISMATCH');
    expect(await code(typeOf('cours.pdf', Buffer.from('%PDF-1.7\n')))).toBeNull();
  });
});

describe('serving', () => {
  test('Content-Disposition: an ASCII fallback and the exact name (RFC 5987)', () => {
    expect(contentDisposition('attachment', 'Élève "n°1"; ok.pdf')).toBe(
      `attachment; filename="Eleve _n_1__ ok.pdf"; filename*=UTF-8''%C3%89l%C3%A8ve%20%22n%C2%B01%22%3B%20ok.pdf`,
    );
    expect(contentDisposition('inline', "l'été (1).png")).toBe(
      `inline; filename="l'ete (1).png"; filename*=UTF-8''l%27%C3%A9t%C3%A9%20%281%29.png`,
    );
  });

  test('only images and PDF inline; everything sandboxed but the PDF viewer', () => {
    expect(contentHeaders('a.svg', 'text/plain; charset=utf-8', 'inline')['content-disposition']).toMatch(
      /^attachment/,
    );
    expect(contentHeaders('a.png', 'image/png', 'inline')['content-security-policy']).toContain('sandbox');
    expect(contentHeaders('a.pdf', 'application/pdf', 'inline')['content-security-policy']).not.toContain('sandbox');
    expect(contentHeaders('a.pdf', 'application/pdf', undefined)['content-disposition']).toMatch(/^attachment/);
  });

  test('ranges', () => {
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange('bytes=0-3', 10)).toEqual({ start: 0, end: 3 });
    expect(parseRange('bytes=5-', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=-4', 10)).toEqual({ start: 6, end: 9 });
    expect(parseRange('bytes=0-99', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('invalid');
    expect(parseRange('bytes=0-1,3-4', 10)).toBeNull();
  });
});
