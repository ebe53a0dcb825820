import type { ReactNode } from 'react';

type Level = 2 | 3 | 4 | 5 | 6;

/**
 * The small Markdown subset charters use (`#` headings, `-` lists, paragraphs), rendered as React elements:
 * no HTML is ever injected. `topLevel` is the heading level a `#` line becomes.
 */
export function PlainMarkdown({ text, topLevel }: { text: string; topLevel: Level }) {
  const blocks: ReactNode[] = [];
  let list: string[] = [];
  let para: string[] = [];
  const flushList = () => {
    if (list.length) {
      const items = list;
      blocks.push(
        <ul key={blocks.length}>
          {items.map((item, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static text, never reordered
            <li key={i}>{item}</li>
          ))}
        </ul>,
      );
    }
    list = [];
  };
  const flushPara = () => {
    if (para.length) {
      const lines = para;
      blocks.push(
        <p key={blocks.length}>
          {lines.map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static text, never reordered
            <span key={i}>
              {i > 0 ? <br /> : null}
              {l}
            </span>
          ))}
        </p>,
      );
    }
    para = [];
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      flushList();
      flushPara();
      const level = Math.min(6, topLevel + (heading[1]?.length ?? 1) - 1) as Level;
      const Tag = `h${level}` as const;
      blocks.push(
        <Tag key={blocks.length} className="fr-h6 fr-mb-1w">
          {heading[2]}
        </Tag>,
      );
    } else if (/^[-*]\s+/.test(line)) {
      flushPara();
      list.push(line.replace(/^[-*]\s+/, ''));
    } else if (line === '') {
      flushList();
      flushPara();
    } else {
      flushList();
      para.push(line);
    }
  }
  flushList();
  flushPara();
  return <div className="preau-markdown">{blocks}</div>;
}
