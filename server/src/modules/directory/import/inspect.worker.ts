/**
 * The upload inspector's thread (see inspect.ts): files are opened, fed and closed by messages; each byte
 * count is acknowledged once taken, so the request never queues more than a few MB here.
 */
import { parentPort } from 'node:worker_threads';
import type { CsvMapping } from '@preau/contracts';
import { CsvParseError } from '../csv/csv-parser.ts';
import { CsvPreviewer, type Inspection, type InspectionKind, scanAafScope } from './inspect.ts';

type Message =
  | { type: 'open'; no: number; name: string; kind: InspectionKind; mapping?: CsvMapping[string] }
  | { type: 'data'; no: number; chunk: Uint8Array }
  | { type: 'close'; no: number };

interface Open {
  push(chunk: Uint8Array): void;
  close(): Promise<Inspection>;
}

const port = parentPort!;
const ack = (bytes: number) => port.postMessage({ type: 'ack', bytes });

/** A CSV file: parsed as the bytes come. A parse error ends its reading (the rest is only acknowledged). */
function csv(name: string, mapping: CsvMapping[string] | undefined): Open {
  const previewer = new CsvPreviewer(name, mapping);
  let broken: Inspection | null = null;
  return {
    push(chunk) {
      if (!broken)
        try {
          previewer.push(chunk);
        } catch (e) {
          if (!(e instanceof CsvParseError)) throw e;
          broken = CsvPreviewer.broken(e);
        }
      ack(chunk.byteLength);
    },
    close: async () => broken ?? previewer.end(),
  };
}

/** An AAF file: the streaming parser pulls the chunks from a queue; each is acknowledged when pulled. */
function aaf(name: string): Open {
  const queue: Uint8Array[] = [];
  let ended = false;
  // A broken file stops the parser early: what comes after is only acknowledged.
  let stopped = false;
  let wake: (() => void) | null = null;
  async function* chunks() {
    for (;;) {
      const c = queue.shift();
      if (c) {
        ack(c.byteLength);
        yield c;
      } else if (ended) return;
      else await new Promise<void>((r) => (wake = r));
    }
  }
  const result = scanAafScope(chunks(), name).finally(() => {
    stopped = true;
    for (const c of queue.splice(0)) ack(c.byteLength);
  });
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  return {
    push(chunk) {
      if (stopped) return ack(chunk.byteLength);
      queue.push(chunk);
      poke();
    },
    close() {
      ended = true;
      poke();
      return result;
    },
  };
}

const files = new Map<number, Open>();
port.on('message', (m: Message) => {
  if (m.type === 'open') files.set(m.no, m.kind === 'csv' ? csv(m.name, m.mapping) : aaf(m.name));
  else if (m.type === 'data') {
    const f = files.get(m.no);
    if (f) f.push(m.chunk);
    else ack(m.chunk.byteLength);
  } else {
    const f = files.get(m.no);
    files.delete(m.no);
    void (f ? f.close() : Promise.resolve(null)).then((result) =>
      port.postMessage({ type: 'result', no: m.no, result }),
    );
  }
});
