import { MAX_BODY_CHARS } from '@preau/contracts';
import sanitizeHtml from 'sanitize-html';
import { AppError } from '../../platform/errors.ts';

/**
 * Rich text of messages: what the editor produces (paragraphs, emphasis, lists, quotes, links) is kept, anything
 * else is dropped by sanitize-html. Active content — a script, an event handler, a frame, a `javascript:` link —
 * never comes from the editor: its presence means a forged request, refused whole (400 UNSAFE_CONTENT) rather
 * than silently cleaned, so that nothing is written.
 */
const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'b',
    'em',
    'i',
    'u',
    's',
    'ul',
    'ol',
    'li',
    'blockquote',
    'h2',
    'h3',
    'h4',
    'a',
    'code',
    'pre',
    'hr',
  ],
  allowedAttributes: { a: ['href', 'rel', 'target'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }),
  },
};

const ACTIVE = [
  /<\s*(script|iframe|frame|object|embed|applet|style|link|meta|base|form|input|button|textarea|svg|math)\b/i,
  /\son[a-z]+\s*=/i,
  /(javascript|vbscript|livescript)\s*:/i,
  /data\s*:\s*text\/html/i,
  /expression\s*\(/i,
];

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };
const decode = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#([0-9]+);?/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&([a-z0-9#]+);/gi, (m, name: string) => ENTITIES[name.toLowerCase()] ?? m);

/** The body as stored: sanitised HTML and its plain text (search, previews, e-mails). */
export function cleanBody(raw: string, field = 'body.body'): { html: string; text: string } {
  if ([...raw].length > MAX_BODY_CHARS) {
    throw new AppError(400, 'MESSAGE_TOO_LONG', {
      vars: { max: String(MAX_BODY_CHARS).replace(/\B(?=(\d{3})+(?!\d))/g, ' ') },
      errors: [{ path: field, message: `more than ${MAX_BODY_CHARS} characters` }],
    });
  }
  const decoded = decode(decode(raw));
  if (ACTIVE.some((re) => re.test(raw) || re.test(decoded))) {
    throw new AppError(400, 'UNSAFE_CONTENT', { errors: [{ path: field, message: 'active content' }] });
  }
  const html = sanitizeHtml(raw, OPTIONS);
  return { html, text: toText(html) };
}

/** Plain text of sanitised HTML: blocks become lines. */
export function toText(html: string): string {
  const withBreaks = html.replace(/<\s*(br|\/p|\/li|\/h[2-4]|\/blockquote|\/pre|hr)\b[^>]*>/gi, '\n');
  const text = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {} });
  return decode(text)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A short preview for lists. */
export const preview = (text: string) =>
  (text.length > 140 ? `${text.slice(0, 139).trimEnd()}…` : text).replace(/\s+/g, ' ');
