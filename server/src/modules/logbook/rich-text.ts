/**
 * The logbook's rich text: the formatting a teacher uses (paragraphs, emphasis, lists, links, headings, quotes,
 * code), nothing else. Code is refused with its name — a script, an event handler, a `javascript:` link, an
 * embedded frame or style — so that the teacher knows and nothing is silently lost; any other markup (a
 * `<div>`, a `style` attribute pasted from a word processor) is cleaned away.
 */
import sanitizeHtml from 'sanitize-html';
import { AppError } from '../../platform/errors.ts';

const DANGEROUS: [RegExp, string][] = [
  [/<\s*script\b/i, 'balise <script>'],
  [/<\s*(iframe|frame|object|embed|applet)\b/i, 'cadre ou objet intégré'],
  [/<\s*(style|link|meta|base)\b/i, 'feuille de style ou en-tête'],
  [/<\s*(form|input|button|textarea|select)\b/i, 'formulaire'],
  [/<\s*(svg|math)\b/i, 'image SVG ou formule MathML'],
  [/<[^>]*\son[a-z]+\s*=/i, 'attribut « on… »'],
  [/(javascript|vbscript)\s*:/i, 'lien javascript:'],
  [/data\s*:\s*text\/html/i, 'lien data:text/html'],
];

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
    'sub',
    'sup',
    'ul',
    'ol',
    'li',
    'a',
    'h3',
    'h4',
    'blockquote',
    'code',
    'pre',
  ],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  transformTags: {
    b: 'strong',
    i: 'em',
    a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer', target: '_blank' }),
  },
  // `rel` and `target` are set by the transform above.
  allowedSchemesAppliedToAttributes: ['href'],
};

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Plain text (no markup at all) as paragraphs: blank lines part them, single line breaks stay. */
function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** Sanitised HTML, or a 400 CONTENT_UNSAFE naming the code found. */
export function cleanRichText(html: string): string {
  for (const [re, what] of DANGEROUS) if (re.test(html)) throw new AppError(400, 'CONTENT_UNSAFE', { vars: { what } });
  if (!/<[a-z!/]/i.test(html)) return paragraphs(html);
  return sanitizeHtml(html, { ...OPTIONS, allowedAttributes: { a: ['href', 'rel', 'target'] } }).trim();
}

/** Plain text of sanitised HTML (PDF, notifications): blocks on their own lines, list items bulleted. */
export function plainText(html: string): string {
  return sanitizeHtml(
    html
      .replace(/<li[^>]*>/gi, '\n• ')
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/(p|h3|h4|blockquote|pre|ul|ol)>/gi, '\n'),
    { allowedTags: [], allowedAttributes: {} },
  )
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
