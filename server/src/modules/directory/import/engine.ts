/**
 * The directory import, whatever its source: parse every file, resolve the links in memory, then write
 * one transaction per establishment (an establishment applies whole or not at all), and report. A big AAF
 * full export (an académie) goes in groups of establishments instead, with the same outcome (partition.ts).
 * Broken input stops everything before the first write. A dry run does all of it in one transaction that
 * is rolled back, so it reports exactly what a real run would change.
 */
import type { CsvMapping, ImportAnomaly, ImportReport, ImportResolutions, ImportRow } from '@preau/contracts';
import type { Kysely } from 'kysely';
import type { Database, Db } from '../../../platform/db/schema.ts';
import { parisToday } from '../../services/index.ts';
import { type AafFileInfo, readAafSet } from './aaf-reader.ts';
import { type CsvFileInfo, readCsvSet } from './csv-reader.ts';
import { imports, inSavepoint, type WrittenEstablishment } from './import.repository.ts';
import { ImportInputError, type ImportSet, type PersonIn, type PersonKind } from './model.ts';
import { dropFirstPass, type FirstPass, firstPass, groupSet, partition, splitByGroup } from './partition.ts';
import { type EstablishmentPlan, type ResolvedImport, resolveImport } from './resolve.ts';
import type { ImportSource } from './sources.ts';
import { ChangeTracker, type WriteOptions, writeNomenclatures, writePlan } from './writer.ts';

/** A report keeps at most this many anomalies (the last one says how many were left out). */
export const MAX_ANOMALIES = 10_000;

export interface ImportInput {
  kind: 'aaf' | 'csv';
  sources: ImportSource[];
  dryRun: boolean;
  /** Establishments the import may write to; null for any (platform admin, CLI). */
  scope: Set<string> | null;
  /** CSV: the establishment of the rows and the caller's column mapping. */
  csv?: { establishmentId: string; mapping: CsvMapping; resolutions?: ImportResolutions };
  jobId: string | null;
  actorId: string | null;
  activationCodeDays: number;
  onProgress?: (progress: number, phase: string) => void;
  /** People per group of establishments for a big AAF full export (see partition.ts); 0: always in one piece. */
  groupPeople?: number;
  /** Files of at least this size are imported in groups when they qualify (default `GROUPED_FROM_BYTES`). */
  groupedFromBytes?: number;
  /** Called in each establishment's transaction, once it is written (a real run): the job records it. */
  onWritten?: (trx: Db, written: WrittenEstablishment) => Promise<unknown>;
}

export interface ImportOutcome {
  status: 'done' | 'failed';
  report: ImportReport;
  /** Establishments the import wrote to (or would have, in a dry run). */
  establishmentIds: string[];
  /** Groups of establishments the set was imported in (1: in one piece; 0: nothing was read). */
  groups: number;
  files: (AafFileInfo | CsvFileInfo)[];
}

class DryRunRollback extends Error {}

/** A report keeps at most this many rows (those that need attention first). */
export const MAX_ROWS = 10_000;
const ROW_ORDER: Record<ImportRow['outcome'], number> = {
  ambiguous: 0,
  refused: 1,
  skipped: 2,
  created: 3,
  updated: 4,
  unchanged: 5,
};

/** CSV: what became of each person of the files, by file and line. */
function rowsOf(set: ImportSet, resolved: ResolvedImport, tracker: ChangeTracker): ImportRow[] {
  const rows: ImportRow[] = [];
  const placed = new Set<string>();
  for (const p of resolved.plans) for (const k of [...p.members.keys(), ...p.identity]) placed.add(k);
  const name = (p: PersonIn) => `${p.values.last_name ?? ''} ${p.values.first_name ?? ''}`.trim();
  const kinds: [PersonKind, Map<string, PersonIn>][] = [
    ['student', set.students],
    ['guardian', set.guardians],
    ['staff', set.staff],
  ];
  for (const [kind, people] of kinds)
    for (const p of people.values()) {
      const change = tracker.people[kind].get(p.key);
      const row: ImportRow = {
        key: p.key,
        file: p.origin.file,
        line: p.origin.line ?? p.origin.record,
        kind,
        name: name(p),
        outcome: !placed.has(p.key) ? 'refused' : change === 'created' ? 'created' : change ? 'updated' : 'unchanged',
      };
      const m = resolved.matched.get(p.key);
      if (m) row.match = { by: m.by, userId: m.userId };
      rows.push(row);
    }
  for (const [key, d] of resolved.dropped) {
    const row: ImportRow = {
      key,
      file: d.origin.file,
      line: d.origin.line ?? d.origin.record,
      kind: d.kind,
      name: d.name,
      outcome: d.outcome,
    };
    if (d.candidates) row.candidates = d.candidates;
    rows.push(row);
  }
  for (const r of set.refused)
    rows.push({
      key: `refused:${r.origin.file}:${r.origin.line ?? r.origin.record}`,
      file: r.origin.file,
      line: r.origin.line ?? r.origin.record,
      kind: r.kind,
      name: r.name,
      outcome: 'refused',
    });
  rows.sort(
    (a, b) =>
      ROW_ORDER[a.outcome] - ROW_ORDER[b.outcome] || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0),
  );
  return rows.slice(0, MAX_ROWS);
}

function capped(anomalies: ImportAnomaly[]): ImportAnomaly[] {
  if (anomalies.length <= MAX_ANOMALIES) return anomalies;
  const kept = anomalies.slice(0, MAX_ANOMALIES - 1);
  kept.push({
    code: 'TOO_MANY_ANOMALIES',
    message: `${anomalies.length - kept.length} more anomalies were left out of this report`,
    file: '',
    record: null,
    params: { omitted: anomalies.length - kept.length },
  });
  return kept;
}

/** Sets bigger than this are imported in groups of establishments when they qualify (see partition.ts). */
export const GROUPED_FROM_BYTES = 24 << 20;
/** People per group of establishments (a lycée has about 6,000 with its guardians and staff). */
export const GROUP_PEOPLE = 20_000;

interface WriteState {
  tracker: ChangeTracker;
  anomalies: ImportAnomaly[];
  establishmentIds: string[];
  failed: number;
}

/**
 * Write plans: in a dry run each in a savepoint of the caller's transaction `trx`, else each in a transaction
 * of its own. `step` reports the progress after each plan (its weight, out of the plans' total).
 */
async function writePlans(
  db: Kysely<Database>,
  trx: Db | null,
  plans: EstablishmentPlan[],
  set: ImportSet,
  resolved: ResolvedImport,
  input: ImportInput,
  writeOpts: WriteOptions,
  state: WriteState,
  step: (label: string, done: number, total: number) => void,
): Promise<void> {
  const weights = plans.map((p) => 1 + p.members.size);
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  let done = 0;
  const planFailed = (label: string, file: string, e: unknown) => {
    state.failed++;
    state.anomalies.push({
      code: 'ESTABLISHMENT_NOT_IMPORTED',
      message: `${label}: nothing was written for this establishment: ${(e as Error).message}`,
      file,
      record: null,
      params: { establishment: label, error: (e as Error).message },
    });
  };
  for (const [i, plan] of plans.entries()) {
    step(`writing ${plan.label}`, done, total);
    try {
      if (trx) {
        const r = await inSavepoint(trx, 'import_plan', () => writePlan(trx, plan, set, resolved, writeOpts));
        state.tracker.merge(r.tracker);
        state.anomalies.push(...r.anomalies);
        // An establishment created by a dry run does not exist once it is rolled back.
        if (plan.existing) state.establishmentIds.push(r.establishmentId);
      } else {
        const r = await db.transaction().execute(async (t) => {
          const r = await writePlan(t, plan, set, resolved, writeOpts);
          await input.onWritten?.(t, {
            establishmentId: r.establishmentId,
            label: plan.label,
            counts: r.tracker.counts(),
          });
          return r;
        });
        state.tracker.merge(r.tracker);
        state.anomalies.push(...r.anomalies);
        state.establishmentIds.push(r.establishmentId);
      }
    } catch (e) {
      planFailed(plan.label, plan.structure?.origin.file ?? '', e);
    }
    done += weights[i]!;
    step(`writing ${plan.label}`, done, total);
  }
}

function writeOptions(input: ImportInput): WriteOptions {
  return {
    jobId: input.jobId,
    actorId: input.actorId,
    activationExpiresAt: new Date(Date.now() + input.activationCodeDays * 86_400_000),
    today: parisToday(),
    dryRun: input.dryRun,
    scope: input.scope,
  };
}

/** Run `work` for real, or in one transaction rolled back at the end (a dry run). */
async function inRun(db: Kysely<Database>, dryRun: boolean, work: (trx: Db | null) => Promise<void>): Promise<void> {
  if (!dryRun) return work(null);
  try {
    await db.transaction().execute(async (trx) => {
      await imports.lock(trx);
      await work(trx);
      throw new DryRunRollback();
    });
  } catch (e) {
    if (!(e instanceof DryRunRollback)) throw e;
  }
}

function failedInput(e: ImportInputError): ImportOutcome {
  return {
    status: 'failed',
    report: { counts: new ChangeTracker().counts(), anomalies: capped(e.anomalies) },
    establishmentIds: [],
    files: [],
    groups: 0,
  };
}

/**
 * A big AAF full export, in groups of establishments (partition.ts): the same plans, writes and report as in one
 * piece, with the memory of a group. Null when the set does not qualify (the caller imports it in one piece).
 */
async function runInGroups(
  db: Kysely<Database>,
  input: ImportInput,
  groupPeople: number,
  progress: (p: number, phase: string) => void,
  onBytes: (n: number) => void,
): Promise<ImportOutcome | null> {
  let pass: FirstPass;
  try {
    pass = await firstPass(input.sources, onBytes);
  } catch (e) {
    if (!(e instanceof ImportInputError)) throw e;
    return failedInput(e);
  }
  try {
    if (pass.scan.unfit) return null;
    progress(0.45, 'resolving');
    const part = await partition(db, pass, groupPeople);
    await splitByGroup(pass, part.groups.length);
    const state: WriteState = {
      tracker: new ChangeTracker(),
      anomalies: [...pass.set.anomalies, ...part.anomalies],
      establishmentIds: [],
      failed: 0,
    };
    const nomenclatures = {
      subjects: part.subjects,
      unknownSubjects: part.context.unknownSubjects,
      knownSubjects: part.context.knownSubjects,
      mefs: part.context.mefs,
    } as ResolvedImport;
    const writeOpts = writeOptions(input);
    const totalPeople = part.sizes.reduce((a, b) => a + b, 0) || 1;
    let peopleDone = 0;
    // The resolvers' anomalies, each as many times as one group reports it (a person read in two groups
    // is reported by both).
    const reported = new Map<string, number>();
    progress(0.5, 'writing');
    await inRun(db, input.dryRun, async (trx) => {
      if (trx) await writeNomenclatures(trx, nomenclatures, state.tracker);
      else
        await db.transaction().execute(async (t) => {
          await imports.lock(t);
          await writeNomenclatures(t, nomenclatures, state.tracker);
        });
      for (const [g, planKeys] of part.groups.entries()) {
        const set = await groupSet(pass, g);
        const resolved = await resolveImport(db, set, {
          scope: null,
          group: { ...part.context, plans: new Set(planKeys) },
        });
        const here = new Map<string, number>();
        for (const a of resolved.anomalies) {
          const fp = JSON.stringify([a.code, a.message, a.file, a.record, a.line, a.key]);
          const n = (here.get(fp) ?? 0) + 1;
          here.set(fp, n);
          if (n > (reported.get(fp) ?? 0)) {
            reported.set(fp, n);
            state.anomalies.push(a);
          }
        }
        const size = part.sizes[g]!;
        await writePlans(db, trx, resolved.plans, set, resolved, input, writeOpts, state, (label, done, total) =>
          progress(0.5 + (0.45 * (peopleDone + (size * done) / total)) / totalPeople, label),
        );
        peopleDone += size;
      }
    });
    progress(0.95, 'report');
    return {
      status: state.failed ? 'failed' : 'done',
      report: { counts: state.tracker.counts(), anomalies: capped(state.anomalies) },
      establishmentIds: [...new Set(state.establishmentIds)],
      files: pass.files,
      groups: part.groups.length,
    };
  } finally {
    await dropFirstPass(pass);
  }
}

export async function runImport(db: Kysely<Database>, input: ImportInput): Promise<ImportOutcome> {
  const progress = input.onProgress ?? (() => {});
  const total = Math.max(
    1,
    input.sources.reduce((n, s) => n + s.size, 0),
  );
  let read = 0;
  progress(0, 'parsing');
  const onBytes = (n: number) => {
    read += n;
    progress(0.45 * Math.min(1, read / total), 'parsing');
  };

  // ---- a big académie: in groups of establishments ----
  const groupPeople = input.groupPeople ?? GROUP_PEOPLE;
  if (
    input.kind === 'aaf' &&
    !input.scope &&
    groupPeople > 0 &&
    total >= (input.groupedFromBytes ?? GROUPED_FROM_BYTES)
  ) {
    const grouped = await runInGroups(db, input, groupPeople, progress, onBytes);
    if (grouped) return grouped;
    read = 0;
    progress(0, 'parsing');
  }

  // ---- parsing ----
  let set: ImportSet;
  let files: (AafFileInfo | CsvFileInfo)[];
  try {
    if (input.kind === 'aaf') ({ set, files } = await readAafSet(input.sources, onBytes));
    else {
      const est = input.csv ? (await imports.establishmentsByIds(db, [input.csv.establishmentId]))[0] : undefined;
      if (!input.csv || !est) throw new Error('a CSV import needs an existing establishment');
      ({ set, files } = await readCsvSet(input.sources, est.uai, input.csv.mapping, onBytes));
    }
  } catch (e) {
    if (!(e instanceof ImportInputError)) throw e;
    return failedInput(e);
  }

  // ---- resolving ----
  progress(0.45, 'resolving');
  const resolved = await resolveImport(db, set, {
    scope: input.scope,
    csvEstablishment: input.csv?.establishmentId,
    resolutions: input.csv?.resolutions,
  });

  // ---- writing ----
  const state: WriteState = {
    tracker: new ChangeTracker(),
    anomalies: [...set.anomalies, ...resolved.anomalies],
    establishmentIds: [],
    failed: 0,
  };
  progress(0.5, 'writing');
  const writeOpts = writeOptions(input);
  await inRun(db, input.dryRun, async (trx) => {
    if (trx) await writeNomenclatures(trx, resolved, state.tracker);
    else
      await db.transaction().execute(async (t) => {
        await imports.lock(t);
        await writeNomenclatures(t, resolved, state.tracker);
      });
    await writePlans(db, trx, resolved.plans, set, resolved, input, writeOpts, state, (label, done, total) =>
      progress(0.5 + (0.45 * done) / total, label),
    );
  });

  progress(0.95, 'report');
  const report: ImportReport = { counts: state.tracker.counts(), anomalies: capped(state.anomalies) };
  if (set.kind === 'csv') report.rows = rowsOf(set, resolved, state.tracker);
  return {
    status: state.failed ? 'failed' : 'done',
    report,
    establishmentIds: [...new Set(state.establishmentIds)],
    files,
    groups: 1,
  };
}
