/**
 * Use cases of the directory import: queue an upload, follow a job, list the jobs, preview CSV columns.
 * The first lines of each use case are the access check. A local admin imports only the establishments
 * they administer; a platform admin any structure (and creates the establishments an AAF set describes).
 */
import { randomUUID } from 'node:crypto';
import {
  CsvMapping,
  type CsvPreview,
  ImportFormFields,
  type ImportJob,
  type ImportListQuery,
  type ImportReport,
  type ImportSummary,
} from '@preau/contracts';
import { sql } from 'kysely';
import {
  membershipIn,
  permissionsIn,
  requireEstablishmentPermission,
  requireUser,
} from '../../../platform/access/access.ts';
import { audit } from '../../../platform/audit.ts';
import type { Db } from '../../../platform/db/schema.ts';
import { AppError, forbidden, notFound } from '../../../platform/errors.ts';
import type { AuthedContext, RequestContext } from '../../../platform/http/context.ts';
import { recordUsage } from '../../../platform/usage.ts';
import { CsvParseError, parseCsv } from '../csv/csv-parser.ts';
import { applyMapping, CSV_FIELDS, isCsvField } from './csv-reader.ts';
import { enqueueImport, type ImportJobOptions, type StoredFile } from './import.jobs.ts';
import { type ImportJobRow, importJobs, imports } from './import.repository.ts';
import { scanAafScope } from './scope.ts';
import { type ContentKind, contentKind, storedSource, storeUpload } from './sources.ts';

export const IMPORT_PERMISSION = 'imports.run';

export type UploadPart =
  | { type: 'file'; filename: string; stream: AsyncIterable<Uint8Array> }
  | { type: 'field'; name: string; value: string };

/** Establishments where the user may import (null: any, for a platform admin). */
async function importableEstablishments(ctx: AuthedContext): Promise<string[] | null> {
  if (ctx.user.platformAdmin) return null;
  const out: string[] = [];
  for (const m of ctx.user.memberships)
    if ((await permissionsIn(ctx.db, ctx.user, m.establishmentId, [IMPORT_PERMISSION])).length)
      out.push(m.establishmentId);
  return out;
}

function parseMapping(ctx: RequestContext, raw: string | undefined): CsvMapping {
  if (!raw) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw mappingError(ctx, 'not JSON');
  }
  const parsed = CsvMapping.safeParse(json);
  if (!parsed.success) throw mappingError(ctx, parsed.error.issues[0]?.message ?? 'invalid');
  for (const [file, m] of Object.entries(parsed.data))
    for (const [header, field] of Object.entries(m.columns ?? {}))
      if (field !== null && field !== '' && !isCsvField(field))
        throw mappingError(ctx, `${file}: "${header}" → unknown field "${field}"`);
  return parsed.data;
}

const mappingError = (_ctx: RequestContext, detail: string) =>
  new AppError(400, 'IMPORT_MAPPING_INVALID', {
    vars: { detail },
    errors: [{ path: 'body.mapping', message: detail }],
  });

function formFields(fields: Record<string, string>) {
  const parsed = ImportFormFields.safeParse(fields);
  if (!parsed.success)
    throw new AppError(400, 'VALIDATION', {
      errors: parsed.error.issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message })),
    });
  return parsed.data;
}

/**
 * A local admin's AAF upload: every structure it describes, and every person it places, must be in an
 * establishment they administer. Foreign establishments answer 404 (403 to a member without the
 * permission); a structure that would be created answers 403.
 */
async function checkAafScope(ctx: AuthedContext, trx: Db, jobId: string, files: StoredFile[], allowed: string[]) {
  const scan = await scanAafScope(files.map((f) => storedSource(trx, jobId, f.no, f.name, f.size)));
  const keys = new Set<string>([...scan.structures.keys(), ...scan.people.flat()]);
  const uais = [...scan.structures.values()].filter((u): u is string => !!u);
  const rows = await imports.establishments(trx, [...keys], uais);
  const resolve = (key: string) =>
    rows.find((r) => r.external_id === key) ??
    (scan.structures.get(key) ? rows.find((r) => r.uai === scan.structures.get(key)) : undefined);
  const deny = (establishmentId: string | null): never => {
    if (establishmentId && membershipIn(ctx.user, establishmentId)) throw forbidden();
    if (establishmentId) throw notFound();
    throw new AppError(403, 'IMPORT_STRUCTURE_NOT_ALLOWED');
  };
  const touched = new Set<string>();
  for (const key of scan.structures.keys()) {
    const row = resolve(key);
    if (!row || !allowed.includes(row.id)) deny(row?.id ?? null);
    touched.add(row!.id);
  }
  for (const people of scan.people) {
    const ests = people.map(resolve).filter((r) => !!r);
    if (ests.length === 0) continue; // unknown structures only: the job reports them
    const mine = ests.filter((r) => allowed.includes(r.id));
    if (mine.length === 0) deny(ests[0]!.id);
    for (const r of mine) touched.add(r.id);
  }
  return [...touched];
}

/** Store an upload and queue its import. Nothing is stored when the upload is refused. */
export async function createImport(ctx: RequestContext, parts: AsyncIterable<UploadPart>): Promise<{ id: string }> {
  requireUser(ctx);
  const actx = ctx as AuthedContext;
  const importable = await importableEstablishments(actx);
  const id = randomUUID();
  const done = await ctx.db.transaction().execute(async (trx) => {
    await importJobs.insert(trx, {
      id,
      establishment_id: null,
      requested_by: ctx.user!.id,
      kind: 'aaf',
      dry_run: false,
      files: [],
      options: {},
    });
    const files: (StoredFile & { content: ContentKind })[] = [];
    const fields: Record<string, string> = {};
    for await (const part of parts) {
      if (part.type === 'field') {
        fields[part.name] = part.value;
        continue;
      }
      const name = (part.filename.split(/[\\/]/).pop() ?? '').slice(0, 255) || `file-${files.length + 1}`;
      const stored = await storeUpload(trx, id, files.length, part.stream);
      const content = contentKind(name, stored.head);
      if (content === 'binary') throw new AppError(415, 'IMPORT_FILE_TYPE', { vars: { file: name } });
      files.push({ no: files.length, name, size: stored.size, sha256: stored.sha256, kind: content, content });
    }
    const form = formFields(fields);
    if (files.length === 0) throw new AppError(400, 'IMPORT_NO_FILES');
    const kinds = new Set(files.map((f) => f.kind));
    if (kinds.size > 1) throw new AppError(400, 'IMPORT_MIXED_KINDS');
    const kind = files[0]!.kind;
    const options: ImportJobOptions = { scope: importable };
    let establishmentId: string | null = null;
    if (kind === 'csv') {
      const target = form.establishment ?? (importable?.length === 1 ? importable[0] : undefined);
      if (!target) throw new AppError(400, 'IMPORT_ESTABLISHMENT_REQUIRED');
      await requireEstablishmentPermission(ctx, IMPORT_PERMISSION, target);
      establishmentId = target;
      options.csvEstablishment = target;
      options.scope = [target];
      options.mapping = parseMapping(ctx, form.mapping);
    } else if (form.establishment) {
      await requireEstablishmentPermission(ctx, IMPORT_PERMISSION, form.establishment);
      establishmentId = form.establishment;
      options.scope = [form.establishment];
      if (importable) await checkAafScope(actx, trx, id, files, options.scope);
    } else if (importable) {
      const touched = await checkAafScope(actx, trx, id, files, importable);
      if (touched.length === 1) establishmentId = touched[0]!;
    }
    await trx
      .updateTable('import_job')
      .set({
        kind,
        dry_run: form.dryRun === 'true',
        establishment_id: establishmentId,
        files: JSON.stringify(files.map(({ content: _c, ...f }) => f)),
        options: JSON.stringify(options),
      })
      .where('id', '=', id)
      .execute();
    await audit(trx, ctx, {
      action: 'directory.import.request',
      establishmentId,
      targetType: 'import_job',
      targetId: id,
      details: { kind, dryRun: form.dryRun === 'true', files: files.map((f) => ({ name: f.name, size: f.size })) },
    });
    return { establishmentId, dryRun: form.dryRun === 'true' };
  });
  await enqueueImport(ctx.db, id, ctx.config, ctx.log);
  recordUsage(ctx, done.establishmentId, 'directory', done.dryRun ? 'import.dry_run' : 'import.run');
  return { id };
}

function present(row: ImportJobRow): ImportJob {
  const files = (row.files as StoredFile[]).map((f) => ({ name: f.name, size: f.size, kind: f.kind }));
  return {
    id: row.id,
    status: row.status,
    progress: Math.round(Number(row.progress) * 1000) / 1000,
    phase: row.phase,
    report: (row.report as ImportReport | null) ?? null,
    kind: row.kind,
    dryRun: row.dry_run,
    establishmentId: row.establishment_id,
    files,
    createdAt: new Date(row.created_at).toISOString(),
    startedAt: row.started_at ? new Date(row.started_at).toISOString() : null,
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}

/** A job is seen by a platform admin, its requester, and the importers of its establishment; 404 otherwise. */
export async function getImport(ctx: RequestContext, id: string): Promise<ImportJob> {
  requireUser(ctx);
  const row = await importJobs.byId(ctx.db, id);
  if (!row) throw notFound();
  const user = ctx.user;
  const visible =
    user.platformAdmin ||
    row.requested_by === user.id ||
    (row.establishment_id !== null &&
      (await permissionsIn(ctx.db, user, row.establishment_id, [IMPORT_PERMISSION])).length > 0);
  if (!visible) throw notFound();
  return present(row);
}

export async function listImports(ctx: RequestContext, query: ImportListQuery) {
  requireUser(ctx);
  let filter: Parameters<typeof importJobs.page>[1] = {};
  if (query.establishment) {
    await requireEstablishmentPermission(ctx, IMPORT_PERMISSION, query.establishment);
    filter = { establishmentId: query.establishment };
  } else {
    const importable = await importableEstablishments(ctx as AuthedContext);
    if (importable) filter = { visibleTo: { userId: ctx.user.id, establishmentIds: importable } };
  }
  const q = importJobs.page(ctx.db, filter);
  const [rows, count] = await Promise.all([
    q
      .select([
        'id',
        'establishment_id',
        'requested_by',
        'kind',
        'dry_run',
        'status',
        'progress',
        'phase',
        'files',
        'options',
        'created_at',
        'started_at',
        'finished_at',
        sql<ImportReport['counts'] | null>`report->'counts'`.as('counts'),
        sql<number | null>`jsonb_array_length(report->'anomalies')`.as('anomalies'),
      ])
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const items: ImportSummary[] = rows.map((r) => {
    const { report: _r, ...job } = present({ ...r, report: null } as ImportJobRow);
    return { ...job, counts: r.counts ?? null, anomalies: r.anomalies === null ? null : Number(r.anomalies) };
  });
  return { items, total: Number(count.n), page: query.page, pageSize: query.pageSize };
}

/** The mapping step: the columns of each CSV file with the field recognised for each, and a few values. */
export async function previewCsv(ctx: RequestContext, parts: AsyncIterable<UploadPart>): Promise<CsvPreview> {
  requireUser(ctx);
  const files: { name: string; bytes: Buffer }[] = [];
  const fields: Record<string, string> = {};
  for await (const part of parts) {
    if (part.type === 'field') {
      fields[part.name] = part.value;
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const c of part.stream) chunks.push(Buffer.from(c));
    const name = (part.filename.split(/[\\/]/).pop() ?? '').slice(0, 255) || `file-${files.length + 1}`;
    const bytes = Buffer.concat(chunks);
    if (contentKind(name, bytes.subarray(0, 4096)) !== 'csv')
      throw new AppError(415, 'IMPORT_FILE_TYPE', { vars: { file: name } });
    files.push({ name, bytes });
  }
  if (files.length === 0) throw new AppError(400, 'IMPORT_NO_FILES');
  const mapping = parseMapping(ctx, formFields(fields).mapping);
  return {
    fields: CSV_FIELDS,
    files: files.map(({ name, bytes }) => {
      try {
        const parsed = parseCsv(bytes, { file: name });
        const m = applyMapping(parsed, name, mapping[name]);
        return {
          file: name,
          encoding: parsed.encoding,
          separator: parsed.separator,
          profile: m.profile,
          rows: parsed.cells.length,
          columns: m.columns.map((c, i) => ({
            header: c.header,
            field: c.field,
            samples: [...new Set(parsed.cells.map((r) => (r[i] ?? '').trim()).filter(Boolean))].slice(0, 3),
          })),
          unknownColumns: m.columns.filter((c) => c.field === null).map((c) => c.header),
          anomalies: m.anomalies.slice(0, 100),
        };
      } catch (e) {
        if (!(e instanceof CsvParseError)) throw e;
        return {
          file: name,
          encoding: '',
          separator: '',
          profile: null,
          rows: 0,
          columns: [],
          unknownColumns: [],
          anomalies: [e.toAnomaly()],
        };
      }
    }),
  };
}
