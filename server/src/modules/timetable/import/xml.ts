/**
 * A small strict XML reader for the STS-Web exchange files (a few megabytes at most): bytes in the declared
 * encoding (ISO-8859-15 usually; the directory's encoding sniffer reads the declaration), a tree of elements out
 * with the line of each. A file that is not well-formed throws `XmlError` with the line and a French reason.
 */
import iconv from 'iconv-lite';
import sax from 'sax';
import { sniffEncoding } from '../../directory/index.ts';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The text directly inside the element, trimmed (STS files pad values with spaces). */
  text: string;
  line: number;
}

export class XmlError extends Error {
  readonly line: number | null;
  constructor(reason: string, line: number | null) {
    super(reason);
    this.line = line;
  }
}

const REASONS: [RegExp, string][] = [
  [/Unclosed root tag/i, 'le fichier s’arrête avant la fin (balise racine non fermée)'],
  [/Unexpected close tag/i, 'une balise fermante ne correspond à aucune balise ouverte'],
  [/Unmatched closing tag/i, 'une balise fermante ne correspond à aucune balise ouverte'],
  [/Non-whitespace before first tag/i, 'du texte précède la première balise : ce n’est pas un fichier XML'],
  [/Text data outside of root node/i, 'du texte suit la balise racine'],
  [/Invalid character entity/i, 'une entité de caractère (&…;) est invalide'],
  [/Invalid tagname/i, 'un nom de balise est invalide'],
  [/Attribute without value/i, 'un attribut n’a pas de valeur'],
  [/Unquoted attribute value/i, 'une valeur d’attribut n’est pas entre guillemets'],
];

function french(message: string): string {
  const first = message.split('\n')[0] ?? message;
  for (const [re, text] of REASONS) if (re.test(first)) return text;
  return `XML mal formé (${first})`;
}

/** Decode the file's bytes per its XML declaration (ISO-8859-15, windows-1252, UTF-8…). */
export function decodeXml(bytes: Buffer): string {
  const { encoding, declared } = sniffEncoding(bytes.subarray(0, 1024));
  if (!encoding) throw new XmlError(`l’encodage « ${declared} » n’est pas pris en charge`, 1);
  const text = iconv.decode(bytes, encoding);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Parse the whole document; throws XmlError when it is not well-formed. */
export function parseXml(bytes: Buffer): XmlElement {
  const text = decodeXml(bytes);
  if (!/^\s*</.test(text)) throw new XmlError('ce n’est pas un fichier XML', 1);
  const parser = sax.parser(true, { trim: false, normalize: false, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let failure: XmlError | null = null;
  parser.onerror = (e) => {
    failure ??= new XmlError(french(e.message), parser.line + 1);
    // Stop at the first error: later ones are consequences.
    (parser as unknown as { error: Error | null }).error = null;
    parser.close();
  };
  parser.onopentag = (node) => {
    const el: XmlElement = {
      name: node.name,
      attrs: Object.fromEntries(
        Object.entries(node.attributes as Record<string, string>).map(([k, v]) => [k, v.trim()]),
      ),
      children: [],
      text: '',
      line: parser.line + 1,
    };
    stack.at(-1)?.children.push(el);
    if (!root) root = el;
    stack.push(el);
  };
  parser.ontext = (t) => {
    const top = stack.at(-1);
    if (top) top.text += t;
  };
  parser.oncdata = parser.ontext;
  parser.onclosetag = () => {
    const el = stack.pop();
    if (el) el.text = el.text.trim();
  };
  try {
    parser.write(text).close();
  } catch (e) {
    failure ??= new XmlError(french((e as Error).message), parser.line + 1);
  }
  if (failure) throw failure;
  if (!root || stack.length > 0)
    throw new XmlError('le fichier s’arrête avant la fin (balise racine non fermée)', parser.line + 1);
  return root;
}

/** Children named `name` (local names; case as in the files). */
export const all = (el: XmlElement | undefined, name: string): XmlElement[] =>
  el ? el.children.filter((c) => c.name === name) : [];

/** The first child named `name`. */
export const one = (el: XmlElement | undefined, name: string): XmlElement | undefined =>
  el?.children.find((c) => c.name === name);

/** Follow a path of child names (`DONNEES/STRUCTURE/DIVISIONS`). */
export function path(el: XmlElement | undefined, p: string): XmlElement | undefined {
  let cur = el;
  for (const part of p.split('/')) cur = one(cur, part);
  return cur;
}

/** The trimmed text of a child, or ''. */
export const textOf = (el: XmlElement | undefined, name: string): string => one(el, name)?.text ?? '';
