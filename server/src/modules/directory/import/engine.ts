/**
 * The directory import, whatever its source: parse every file, resolve the links in memory, then write
 * one transaction per establishment (an establishment applies whole or not at all), and report.
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
import { type ResolvedImport, resolveImport } from './resolve.ts';
import type { ImportSource } from './sources.ts';
import { ChangeTracker, writeNomenclatures, writePlan } from './writer.ts';

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
  /** Called in each establishment's transaction, once it is written (a real run): the job records it. */
  onWritten?: (trx: Db, written: WrittenEstablishment) => Promise<unknown>;
}

export interface ImportOutcome {
  status: 'done' | 'failed';
  report: ImportReport;
  /** Establishments the import wrote to (or would have, in a dry run). */
  establishmentIds: string[];
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
    return {
      status: 'failed',
      report: { counts: new ChangeTracker().counts(), anomalies: capped(e.anomalies) },
      establishmentIds: [],
      files: [],
    };
  }

  // ---- resolving ----
  progress(0.45, 'resolving');
  const resolved = await resolveImport(db, set, {
    scope: input.scope,
    csvEstablishment: input.csv?.establishmentId,
    resolutions: input.csv?.resolutions,
  });
  const plans = resolved.plans;
  const weights = plans.map((p) => 1 + p.members.size);
  const totalWeight = weights.reduce((a, b) => a + b, 0) || 1;

  // ---- writing ----
  const tracker = new ChangeTracker();
  const anomalies: ImportAnomaly[] = [...set.anomalies, ...resolved.anomalies];
  const establishmentIds: string[] = [];
  let failed = 0;
  const writeOpts = {
    jobId: input.jobId,
    actorId: input.actorId,
    activationExpiresAt: new Date(Date.now() + input.activationCodeDays * 86_400_000),
    today: parisToday(),
    dryRun: input.dryRun,
    scope: input.scope,
  };
  const planFailed = (label: string, file: string, e: unknown) => {
    failed++;
    anomalies.push({
      code: 'ESTABLISHMENT_NOT_IMPORTED',
      message: `${label}: nothing was written for this establishment: ${(e as Error).message}`,
      file,
      record: null,
      params: { establishment: label, error: (e as Error).message },
    });
  };
  let done = 0;
  const step = (i: number) => {
    done += weights[i]!;
    return 0.5 + (0.45 * done) / totalWeight;
  };
  progress(0.5, 'writing');

  if (input.dryRun) {
    try {
      await db.transaction().execute(async (trx) => {
        await imports.lock(trx);
        await writeNomenclatures(trx, resolved, tracker);
        for (const [i, plan] of plans.entries()) {
          progress(0.5 + (0.45 * done) / totalWeight, `writing ${plan.label}`);
          try {
            const r = await inSavepoint(trx as Db, 'import_plan', () =>
              writePlan(trx as Db, plan, set, resolved, writeOpts),
            );
            tracker.merge(r.tracker);
            anomalies.push(...r.anomalies);
            // An establishment created by a dry run does not exist once it is rolled back.
            if (plan.existing) establishmentIds.push(r.establishmentId);
          } catch (e) {
            planFailed(plan.label, plan.structure?.origin.file ?? '', e);
          }
          progress(step(i), `writing ${plan.label}`);
        }
        throw new DryRunRollback();
      });
    } catch (e) {
      if (!(e instanceof DryRunRollback)) throw e;
    }
  } else {
    await db.transaction().execute(async (trx) => {
      await imports.lock(trx);
      await writeNomenclatures(trx, resolved, tracker);
    });
    for (const [i, plan] of plans.entries()) {
      progress(0.5 + (0.45 * done) / totalWeight, `writing ${plan.label}`);
      try {
        const r = await db.transaction().execute(async (trx) => {
          const r = await writePlan(trx, plan, set, resolved, writeOpts);
          await input.onWritten?.(trx, {
            establishmentId: r.establishmentId,
            label: plan.label,
            counts: r.tracker.counts(),
          });
          return r;
        });
        tracker.merge(r.tracker);
        anomalies.push(...r.anomalies);
        establishmentIds.push(r.establishmentId);
      } catch (e) {
        planFailed(plan.label, plan.structure?.origin.file ?? '', e);
      }
      progress(step(i), `writing ${plan.label}`);
    }
  }

  progress(0.95, 'report');
  const report: ImportReport = { counts: tracker.counts(), anomalies: capped(anomalies) };
  if (set.kind === 'csv') report.rows = rowsOf(set, resolved, tracker);
  return {
    status: failed ? 'failed' : 'done',
    report,
    establishmentIds: [...new Set(establishmentIds)],
    files,
  };
}
