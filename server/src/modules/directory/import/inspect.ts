/**
 * What an upload is about, read while it streams in — off the request's thread (`inspect.worker.ts`), with
 * memory bounded whatever the size of the files:
 * - a CSV file's preview for the mapping step: columns, the field recognised for each, a few values, the
 *   number of rows, the first anomalies;
 * - an AAF file's scope: the structures it describes and where it places people (a local admin may only
 *   import their own establishments).
 * The request feeds the bytes with `startInspector()`; the analyses themselves are plain classes (tests).
 */
import { Worker } from 'node:worker_threads';
import type { CsvMapping } from '@preau/contracts';
import { parseAaf } from '../aaf/aaf-parser.ts';
import { splitCompound } from '../aaf/values.ts';
import {
  type CsvColumn,
  CsvParseError,
  type CsvRecord,
  CsvRecordReader,
  columnsOfHeader,
  mapCsvRecord,
} from '../csv/csv-parser.ts';
import { mappedColumns } from './csv-reader.ts';
import type { ImportAnomaly } from './model.ts';

/** At most this many anomalies per file in a preview. */
const PREVIEW_ANOMALIES = 100;
const SAMPLES = 3;

export interface CsvInspection {
  encoding: string;
  separator: string;
  /** The columns as detected (before the caller's mapping), with a few distinct values of each. */
  columns: (CsvColumn & { samples: string[] })[];
  rows: number;
  anomalies: ImportAnomaly[];
  /** The file cannot be read as CSV (empty, rows that cannot be split): its one anomaly is in `anomalies`. */
  broken: boolean;
}

/** A CSV file's preview, fed chunk by chunk: keeps the header, a few values per column and counters. */
export class CsvPreviewer {
  private readonly reader: CsvRecordReader;
  private columns: CsvColumn[] | null = null;
  private samples: string[][] = [];
  private rows = 0;
  private readonly anomalies: ImportAnomaly[] = [];
  private readonly file: string;
  private readonly mapping: CsvMapping[string] | undefined;
  /** Row anomalies beyond the cap are counted, not kept. */
  private readonly scratch: ImportAnomaly[] = [];

  constructor(file: string, mapping?: CsvMapping[string]) {
    this.file = file;
    this.mapping = mapping;
    this.reader = new CsvRecordReader(file);
  }

  push(bytes: Uint8Array): void {
    for (const r of this.reader.push(bytes)) this.record(r);
  }

  private record(r: CsvRecord): void {
    if (!this.columns) {
      this.columns = mappedColumns(columnsOfHeader(r, this.file, this.anomalies), this.mapping);
      this.samples = this.columns.map(() => []);
      return;
    }
    this.rows++;
    r.cells.forEach((cell, i) => {
      const list = this.samples[i];
      const v = cell.trim();
      if (list && v && list.length < SAMPLES && !list.includes(v)) list.push(v);
    });
    if (this.anomalies.length < PREVIEW_ANOMALIES) {
      mapCsvRecord(r, this.columns, this.file, this.scratch);
      for (const a of this.scratch.splice(0)) if (this.anomalies.length < PREVIEW_ANOMALIES) this.anomalies.push(a);
    }
  }

  end(): CsvInspection {
    try {
      for (const r of this.reader.end()) this.record(r);
      if (!this.columns)
        throw new CsvParseError('EMPTY_FILE', 'the file has no header line', this.file, null, { variant: 'noHeader' });
    } catch (e) {
      if (!(e instanceof CsvParseError)) throw e;
      return { encoding: '', separator: '', columns: [], rows: 0, anomalies: [e.toAnomaly()], broken: true };
    }
    return {
      encoding: this.reader.encoding,
      separator: this.reader.separator ?? ';',
      columns: this.columns.map((c, i) => ({ ...c, samples: this.samples[i] ?? [] })),
      rows: this.rows,
      anomalies: this.anomalies,
      broken: false,
    };
  }

  /** A CSV error met while pushing (rows that cannot be split): the preview of a broken file. */
  static broken(e: CsvParseError): CsvInspection {
    return { encoding: '', separator: '', columns: [], rows: 0, anomalies: [e.toAnomaly()], broken: true };
  }
}

export interface AafInspection {
  /** Structure records: key → UAI. */
  structures: [string, string | null][];
  /** The distinct sets of structure keys person records name. */
  people: string[][];
}

const PERSON_STRUCTURE_ATTRS = [
  'ENTEleveClasses',
  'ENTEleveGroupes',
  'ENTPersonFonctions',
  'ENTAuxEnsClassesMatieres',
  'ENTAuxEnsGroupesMatieres',
  'ENTAuxEnsClassesPrincipal',
];

/**
 * Which structures an AAF file is about: structure records, and for each person record the structure keys
 * it names (kept once per distinct set). Keys only; a broken file stops the scan quietly (the job reports it).
 */
export async function scanAafScope(bytes: AsyncIterable<Uint8Array>, file: string): Promise<AafInspection> {
  const structures = new Map<string, string | null>();
  const people = new Map<string, string[]>();
  try {
    for await (const r of parseAaf(bytes, { file })) {
      if (r.kind === 'delete') continue;
      if (r.category === 'EtabEducNat' || (!r.category && r.attrs.ENTStructureUAI)) {
        structures.set(r.id, r.attrs.ENTStructureUAI?.[0] ?? null);
        continue;
      }
      const keys = new Set(r.attrs.ENTPersonStructRattach ?? []);
      for (const a of PERSON_STRUCTURE_ATTRS)
        for (const v of r.attrs[a] ?? []) {
          const k = splitCompound(v)[0];
          if (k) keys.add(k);
        }
      if (keys.size) {
        const list = [...keys].sort();
        people.set(list.join('\t'), list);
      }
    }
  } catch {
    // A broken file: the job reports it (and writes nothing); what was read so far still counts here.
  }
  return { structures: [...structures], people: [...people.values()] };
}

export type InspectionKind = 'csv' | 'aaf';
export type Inspection = CsvInspection | AafInspection;

/** Bytes sent to the worker and not yet taken: above this the upload waits (the worker's queue stays small). */
const IN_FLIGHT = 8 << 20;

export interface Inspector {
  open(no: number, name: string, kind: InspectionKind, mapping?: CsvMapping[string]): void;
  /** Resolves when the worker has room for more. */
  data(no: number, chunk: Uint8Array): Promise<void>;
  close(no: number): Promise<Inspection>;
  stop(): Promise<void>;
}

/** A worker thread that inspects the files of one upload as their bytes arrive. */
export function startInspector(): Inspector {
  const worker = new Worker(new URL('./inspect.worker.ts', import.meta.url), {
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  worker.unref();
  let inFlight = 0;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const pending = new Map<number, { ok: (r: Inspection) => void; ko: (e: Error) => void }>();
  const fail = (e: Error) => {
    failure ??= e;
    for (const p of pending.values()) p.ko(e);
    pending.clear();
    wake?.();
  };
  worker.on('message', (m: { type: 'ack'; bytes: number } | { type: 'result'; no: number; result: Inspection }) => {
    if (m.type === 'ack') {
      inFlight -= m.bytes;
      if (inFlight <= IN_FLIGHT) wake?.();
    } else {
      pending.get(m.no)?.ok(m.result);
      pending.delete(m.no);
    }
  });
  worker.on('error', fail);
  worker.on('exit', () => fail(new Error('the upload inspector stopped')));
  return {
    open(no, name, kind, mapping) {
      worker.postMessage({ type: 'open', no, name, kind, mapping });
    },
    async data(no, chunk) {
      if (failure) throw failure;
      const copy = new Uint8Array(chunk.byteLength);
      copy.set(chunk);
      inFlight += copy.byteLength;
      worker.postMessage({ type: 'data', no, chunk: copy }, [copy.buffer]);
      while (inFlight > IN_FLIGHT && !failure) await new Promise<void>((r) => (wake = r));
      wake = null;
      if (failure) throw failure;
    },
    close(no) {
      return new Promise<Inspection>((ok, ko) => {
        if (failure) return ko(failure);
        pending.set(no, { ok, ko });
        worker.postMessage({ type: 'close', no });
      });
    },
    async stop() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
