/**
 * The directory import, whatever its source: parse every file, resolve the links in memory, then write
 * one transaction per establishment (an establishment applies whole or not at all), and report.
 * Broken input stops everything before the first write. A dry run does all of it in one transaction that
 * is rolled back, so it reports exactly what a real run would change.
 */
import type { CsvMapping, ImportAnomaly, ImportReport } from '@preau/contracts';
import { type Kysely, sql } from 'kysely';
import type { Database, Db } from '../../../platform/db/schema.ts';
import { parisToday } from '../../services/index.ts';
import { type AafFileInfo, readAafSet } from './aaf-reader.ts';
import { type CsvFileInfo, readCsvSet } from './csv-reader.ts';
import { imports, type WrittenEstablishment } from './import.repository.ts';
import { ImportInputError, type ImportSet } from './model.ts';
import { resolveImport } from './resolve.ts';
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
  csv?: { establishmentId: string; mapping: CsvMapping };
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
          await sql`SAVEPOINT import_plan`.execute(trx);
          try {
            const r = await writePlan(trx as Db, plan, set, resolved, writeOpts);
            await sql`RELEASE SAVEPOINT import_plan`.execute(trx);
            tracker.merge(r.tracker);
            anomalies.push(...r.anomalies);
            // An establishment created by a dry run does not exist once it is rolled back.
            if (plan.existing) establishmentIds.push(r.establishmentId);
          } catch (e) {
            await sql`ROLLBACK TO SAVEPOINT import_plan`.execute(trx);
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
  return {
    status: failed ? 'failed' : 'done',
    report: { counts: tracker.counts(), anomalies: capped(anomalies) },
    establishmentIds: [...new Set(establishmentIds)],
    files,
  };
}
