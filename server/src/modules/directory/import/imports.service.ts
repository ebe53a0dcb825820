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
  ImportResolutions,
  type ImportSummary,
} from '@preau/contracts';
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
import { CSV_FIELDS, isCsvField, mappedColumns, profileOf } from './csv-reader.ts';
import { enqueueImport, type ImportJobOptions, type StoredFile } from './import.jobs.ts';
import { type ImportJobRow, importJobs, imports } from './import.repository.ts';
import { type AafInspection, type CsvInspection, type Inspection, type Inspector, startInspector } from './inspect.ts';
import { contentKind, storeUpload, withHead } from './sources.ts';
import { archiveKind, expandArchive, limitError, UPLOAD_LIMITS } from './uploads.ts';

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

function parseResolutions(raw: string | undefined): ImportResolutions {
  if (!raw) return {};
  const fail = (message: string) =>
    new AppError(400, 'IMPORT_RESOLUTIONS_INVALID', { errors: [{ path: 'body.resolutions', message }] });
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw fail('not JSON');
  }
  const parsed = ImportResolutions.safeParse(json);
  if (!parsed.success) throw fail(parsed.error.issues[0]?.message ?? 'invalid');
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
 * permission); a structure that would be created answers 403. The files were scanned as they arrived.
 */
async function checkAafScope(ctx: AuthedContext, db: Db, scans: AafInspection[], allowed: string[]) {
  const structures = new Map<string, string | null>(scans.flatMap((s) => s.structures));
  const people = scans.flatMap((s) => s.people);
  const keys = new Set<string>([...structures.keys(), ...people.flat()]);
  const uais = [...structures.values()].filter((u): u is string => !!u);
  const rows = await imports.establishments(db, [...keys], uais);
  const resolve = (key: string) =>
    rows.find((r) => r.external_id === key) ??
    (structures.get(key) ? rows.find((r) => r.uai === structures.get(key)) : undefined);
  const deny = (establishmentId: string | null): never => {
    if (establishmentId && membershipIn(ctx.user, establishmentId)) throw forbidden();
    if (establishmentId) throw notFound();
    throw new AppError(403, 'IMPORT_STRUCTURE_NOT_ALLOWED');
  };
  const touched = new Set<string>();
  for (const key of structures.keys()) {
    const row = resolve(key);
    if (!row || !allowed.includes(row.id)) deny(row?.id ?? null);
    touched.add(row!.id);
  }
  for (const list of people) {
    const ests = list.map(resolve).filter((r) => !!r);
    if (ests.length === 0) continue; // unknown structures only: the job reports them
    const mine = ests.filter((r) => allowed.includes(r.id));
    if (mine.length === 0) deny(ests[0]!.id);
    for (const r of mine) touched.add(r.id);
  }
  return [...touched];
}

const fileName = (raw: string, no: number) => (raw.split(/[\\/]/).pop() ?? '').slice(0, 255) || `file-${no + 1}`;

/**
 * Store an upload and queue its import. Files stream into storage as they arrive; a local admin's AAF files
 * are scanned on the way by the upload inspector (another thread). Nothing is stored when the upload is refused.
 */
export async function createImport(ctx: RequestContext, parts: AsyncIterable<UploadPart>): Promise<{ id: string }> {
  requireUser(ctx);
  const actx = ctx as AuthedContext;
  const importable = await importableEstablishments(actx);
  const id = randomUUID();
  let inspector: Inspector | null = null;
  try {
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
      const files: StoredFile[] = [];
      const scans: Promise<Inspection>[] = [];
      const fields: Record<string, string> = {};
      let total = 0;
      /** The bytes of the whole upload, counted against its limit as they are stored. */
      async function* counted(bytes: AsyncIterable<Uint8Array>) {
        for await (const c of bytes) {
          total += c.byteLength;
          if (total > UPLOAD_LIMITS.totalBytes)
            throw limitError('IMPORT_UPLOAD_TOO_LARGE', { max: UPLOAD_LIMITS.totalBytes / 1024 ** 3 });
          yield c;
        }
      }
      const store = async (name: string, head: Buffer, chunks: AsyncIterable<Uint8Array>) => {
        const no = files.length;
        if (no >= UPLOAD_LIMITS.files) throw limitError('IMPORT_TOO_MANY_FILES', { max: UPLOAD_LIMITS.files });
        const content = contentKind(name, head);
        if (content === 'binary') throw new AppError(415, 'IMPORT_FILE_TYPE', { vars: { file: name } });
        // Only a local admin's AAF files need reading before the job: where they place people.
        const scan = importable !== null && content === 'aaf';
        if (scan) {
          inspector ??= startInspector();
          inspector.open(no, name, 'aaf');
        }
        const stored = await storeUpload(
          trx,
          id,
          no,
          counted(chunks),
          scan ? (c) => (inspector as Inspector).data(no, c) : undefined,
        );
        if (scan) scans.push((inspector as unknown as Inspector).close(no));
        files.push({ no, name, size: stored.size, sha256: stored.sha256, kind: content });
      };
      for await (const part of parts) {
        if (part.type === 'field') {
          fields[part.name] = part.value;
          continue;
        }
        const name = fileName(part.filename, files.length);
        const { head, chunks } = await withHead(part.stream);
        const archive = archiveKind(head);
        if (!archive) {
          await store(name, head, chunks);
          continue;
        }
        // An archive (.zip, .tar.gz): each of its files becomes a file of the upload.
        for await (const entry of expandArchive(archive, name, chunks)) {
          const inner = await withHead(entry.stream);
          await store(fileName(entry.name, files.length), inner.head, inner.chunks);
        }
      }
      const form = formFields(fields);
      if (files.length === 0) throw new AppError(400, 'IMPORT_NO_FILES');
      const kinds = new Set(files.map((f) => f.kind));
      if (kinds.size > 1) throw new AppError(400, 'IMPORT_MIXED_KINDS');
      const kind = files[0]!.kind;
      const options: ImportJobOptions = { scope: importable };
      let establishmentId: string | null = null;
      const scanned = async () => (await Promise.all(scans)) as AafInspection[];
      if (kind === 'csv') {
        const target = form.establishment ?? (importable?.length === 1 ? importable[0] : undefined);
        if (!target) throw new AppError(400, 'IMPORT_ESTABLISHMENT_REQUIRED');
        await requireEstablishmentPermission(ctx, IMPORT_PERMISSION, target);
        establishmentId = target;
        options.csvEstablishment = target;
        options.scope = [target];
        options.mapping = parseMapping(ctx, form.mapping);
        options.resolutions = parseResolutions(form.resolutions);
      } else if (form.establishment) {
        await requireEstablishmentPermission(ctx, IMPORT_PERMISSION, form.establishment);
        establishmentId = form.establishment;
        options.scope = [form.establishment];
        if (importable) await checkAafScope(actx, trx, await scanned(), options.scope);
      } else if (importable) {
        const touched = await checkAafScope(actx, trx, await scanned(), importable);
        if (touched.length === 1) establishmentId = touched[0]!;
      }
      await importJobs.describe(trx, id, {
        kind,
        dry_run: form.dryRun === 'true',
        establishment_id: establishmentId,
        files,
        options,
      });
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
  } finally {
    await (inspector as Inspector | null)?.stop();
  }
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
  const { rows, total } = await importJobs.page(ctx.db, filter, query);
  const items: ImportSummary[] = rows.map((r) => {
    const { report: _r, ...job } = present({ ...r, report: null } as unknown as ImportJobRow);
    return { ...job, counts: r.counts ?? null, anomalies: r.anomalies === null ? null : Number(r.anomalies) };
  });
  return { items, total, page: query.page, pageSize: query.pageSize };
}

/**
 * The mapping step: the columns of each CSV file with the field recognised for each, a few values, the number
 * of rows and the first anomalies. The files stream through the upload inspector (another thread) as they
 * arrive: nothing is stored, and memory stays bounded whatever their size.
 */
export async function previewCsv(ctx: RequestContext, parts: AsyncIterable<UploadPart>): Promise<CsvPreview> {
  requireUser(ctx);
  const inspector = startInspector();
  try {
    const files: { name: string; result: Promise<Inspection> }[] = [];
    const fields: Record<string, string> = {};
    for await (const part of parts) {
      if (part.type === 'field') {
        fields[part.name] = part.value;
        continue;
      }
      const no = files.length;
      const name = fileName(part.filename, no);
      const { head, chunks } = await withHead(part.stream);
      if (contentKind(name, head) !== 'csv') throw new AppError(415, 'IMPORT_FILE_TYPE', { vars: { file: name } });
      // A mapping sent before the files applies to the anomalies too (malformed dates of the mapped column).
      const early = fields.mapping ? safeMapping(fields.mapping)?.[name] : undefined;
      inspector.open(no, name, 'csv', early);
      for await (const c of chunks) await inspector.data(no, c);
      files.push({ name, result: inspector.close(no) });
    }
    if (files.length === 0) throw new AppError(400, 'IMPORT_NO_FILES');
    const mapping = parseMapping(ctx, formFields(fields).mapping);
    const out: CsvPreview['files'] = [];
    for (const f of files) {
      const r = (await f.result) as CsvInspection;
      const columns = mappedColumns(r.columns, mapping[f.name]).map((c, i) => ({
        header: c.header,
        field: c.field,
        samples: r.columns[i]?.samples ?? [],
      }));
      out.push({
        file: f.name,
        encoding: r.encoding,
        separator: r.separator,
        profile: r.broken ? null : profileOf(columns, mapping[f.name]),
        rows: r.rows,
        columns,
        unknownColumns: columns.filter((c) => c.field === null).map((c) => c.header),
        anomalies: r.anomalies,
      });
    }
    return { fields: CSV_FIELDS, files: out };
  } finally {
    await inspector.stop();
  }
}

function safeMapping(raw: string): CsvMapping | null {
  try {
    const parsed = CsvMapping.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
