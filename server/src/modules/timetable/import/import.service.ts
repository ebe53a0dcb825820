/**
 * Use cases of the timetable import: queue an upload (read and checked at once — a file that cannot be read is
 * refused with its reason and nothing is stored), follow a job, list the latest jobs.
 */
import { randomUUID } from 'node:crypto';
import { type TimetableImport, TimetableImportFields, type TimetableImportReport } from '@preau/contracts';
import { requireUser } from '../../../platform/access/access.ts';
import { authorize } from '../../../platform/access/authorize.ts';
import { audit } from '../../../platform/audit.ts';
import { AppError, notFound } from '../../../platform/errors.ts';
import type { RequestContext } from '../../../platform/http/context.ts';
import { recordUsage } from '../../../platform/usage.ts';
import type { UploadPart } from '../../directory/index.ts';
import { CsvTimetableError, readCsv } from './csv-reader.ts';
import { emptyCounts } from './engine.ts';
import { enqueueTimetableImport } from './import.jobs.ts';
import { importJobs } from './import.repository.ts';
import { parseXml, XmlError } from './xml.ts';

/** Per upload: at most 4 files of 20 MB (real exchange files weigh a few hundred kilobytes). */
const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** The multipart parser stops a little above our own limit, so that ours (worded for this import) speaks first. */
export const TIMETABLE_UPLOAD_LIMITS = {
  fileSize: MAX_FILE_BYTES + 1024,
  files: 4,
  fields: 5,
  fieldSize: 1000,
  parts: 10,
};

const invalid = (file: string, reason: string) =>
  new AppError(400, 'TIMETABLE_IMPORT_INVALID', {
    vars: { file, reason },
    errors: [{ path: 'body.files', message: `${file} : ${reason}` }],
  });

const fileName = (raw: string, no: number) => (raw.split(/[\\/]/).pop() ?? '').slice(0, 255) || `fichier-${no + 1}`;

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    size += c.byteLength;
    if (size > MAX_FILE_BYTES) throw new AppError(413, 'PAYLOAD_TOO_LARGE');
    parts.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  }
  return Buffer.concat(parts);
}

/** XML, CSV, or neither (binary), by content. */
function kindOf(name: string, data: Buffer): 'xml' | 'csv' | 'binary' {
  let head = data.subarray(0, 4096);
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3);
  const text = head.toString('latin1');
  if (/^\s*</.test(text) || /\.xml$/i.test(name)) return 'xml';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting binary content
  if (/[\x00-\x08\x0e-\x1a\x1c-\x1f]/.test(text)) return 'binary';
  return 'csv';
}

/** Check the files can be read at all, before anything is stored. */
function check(files: { name: string; data: Buffer }[]): 'sts' | 'csv' {
  const kinds = files.map((f) => ({ ...f, kind: kindOf(f.name, f.data) }));
  const binary = kinds.find((f) => f.kind === 'binary');
  if (binary) throw new AppError(415, 'TIMETABLE_IMPORT_FILE_TYPE', { vars: { file: binary.name } });
  const xml = kinds.filter((f) => f.kind === 'xml');
  if (xml.length > 0 && xml.length < kinds.length)
    throw invalid(
      kinds.find((f) => f.kind === 'csv')!.name,
      'importez les fichiers XML de STS-Web et un fichier CSV séparément',
    );
  if (xml.length === 0) {
    if (kinds.length > 1) throw invalid(kinds[1]!.name, 'un seul fichier CSV à la fois');
    try {
      const set = readCsv(kinds[0]!.name, kinds[0]!.data);
      if (set.courses.length === 0 && set.anomalies.length === 0) throw new CsvTimetableError('aucun cours', null);
    } catch (e) {
      if (e instanceof CsvTimetableError)
        throw invalid(
          kinds[0]!.name,
          `${e.message}${e.line && !e.message.includes('ligne') ? ` (ligne ${e.line})` : ''}`,
        );
      throw e;
    }
    return 'csv';
  }
  const roots: string[] = [];
  for (const f of xml) {
    let root: string;
    try {
      root = parseXml(f.data).name;
    } catch (e) {
      if (e instanceof XmlError) throw invalid(f.name, `${e.message}${e.line ? ` (ligne ${e.line})` : ''}`);
      throw e;
    }
    if (root !== 'STS_EDT' && root !== 'EDT_STS')
      throw invalid(
        f.name,
        `ce n’est pas un fichier d’échange STS-Web (élément racine « ${root} », attendu STS_EDT ou EDT_STS)`,
      );
    if (roots.includes(root)) throw invalid(f.name, `deux fichiers de même type (${root})`);
    roots.push(root);
  }
  if (!roots.includes('EDT_STS'))
    throw invalid(xml[0]!.name, 'il manque emp_sts.xml (élément racine EDT_STS), le fichier des cours');
  return 'sts';
}

export async function createImport(ctx: RequestContext, parts: AsyncIterable<UploadPart>): Promise<{ id: string }> {
  requireUser(ctx);
  const fields: Record<string, string> = {};
  const files: { no: number; name: string; data: Buffer }[] = [];
  for await (const part of parts) {
    if (part.type === 'field') fields[part.name] = part.value;
    else
      files.push({ no: files.length, name: fileName(part.filename, files.length), data: await readAll(part.stream) });
  }
  if (!fields.establishment) throw new AppError(400, 'TIMETABLE_IMPORT_ESTABLISHMENT');
  const form = TimetableImportFields.safeParse(fields);
  if (!form.success)
    throw new AppError(400, 'VALIDATION', {
      errors: form.error.issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message })),
    });
  const auth = await authorize(ctx, {
    establishmentId: form.data.establishment,
    permission: 'timetable.manage',
    service: 'timetable',
  });
  const nonEmpty = files.filter((f) => f.data.length > 0);
  if (nonEmpty.length === 0) throw new AppError(400, 'TIMETABLE_IMPORT_NO_FILES');
  const kind = check(nonEmpty);
  const id = randomUUID();
  await auth.transaction(async (trx) => {
    await importJobs.insert(trx, {
      id,
      establishment_id: auth.establishmentId,
      requested_by: auth.user.id,
      kind,
      files: nonEmpty.map((f) => ({ no: f.no, name: f.name, size: f.data.length })),
    });
    await importJobs.insertFiles(trx, id, nonEmpty);
    await audit(trx, ctx, {
      action: 'timetable.import.request',
      establishmentId: auth.establishmentId,
      targetType: 'timetable_import',
      targetId: id,
      details: { kind, files: nonEmpty.map((f) => ({ name: f.name, size: f.data.length })) },
    });
  });
  await enqueueTimetableImport(ctx.db, id, ctx.log);
  recordUsage(ctx, auth.establishmentId, 'timetable', 'import.run');
  return { id };
}

function present(row: NonNullable<Awaited<ReturnType<typeof importJobs.byId>>>): TimetableImport {
  return {
    id: row.id,
    status: row.status,
    progress: Math.round(Number(row.progress) * 100) / 100,
    phase: row.phase,
    kind: row.kind,
    files: (row.files as { name: string; size: number }[]).map((f) => ({ name: f.name, size: f.size })),
    report: (row.report as TimetableImportReport | null) ?? { counts: emptyCounts(), anomalies: [] },
    createdAt: new Date(row.created_at).toISOString(),
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}

export async function getImport(ctx: RequestContext, id: string): Promise<TimetableImport> {
  const row = await importJobs.byId(ctx.db, id);
  if (!row) throw notFound();
  await authorize(ctx, { establishmentId: row.establishment_id, permission: 'timetable.manage', service: 'timetable' });
  return present(row);
}

export async function listImports(ctx: RequestContext, establishmentId: string) {
  const auth = await authorize(ctx, { establishmentId, permission: 'timetable.manage', service: 'timetable' });
  return { items: (await importJobs.list(auth.db, establishmentId)).map(present) };
}
