import type { Db } from '../../platform/db/schema.ts';
import { defineModule } from '../../platform/module.ts';
import * as m0010 from './0010_directory_import_jobs.ts';
import * as m0011 from './0011_directory_membership_position.ts';
import { directoryPersonalData } from './directory.personal-data.ts';
import { directoryRoutes } from './directory.routes.ts';
import { duplicatesRoutes } from './duplicates/duplicates.routes.ts';
import { runImport } from './import/engine.ts';
import { RUNNER, registerDirectoryJobs, runImportJob } from './import/import.jobs.ts';
import { importJobs, imports } from './import/import.repository.ts';
import { importRoutes } from './import/imports.routes.ts';
import { contentKind, diskSource } from './import/sources.ts';
import { peopleRoutes } from './people/people.routes.ts';
import { qualityRoutes } from './quality/quality.routes.ts';
import { rolloverRoutes } from './rollover/rollover.routes.ts';
import { sheetsRoutes } from './sheets/sheets.routes.ts';

/**
 * What other modules reuse of the directory's import and printing machinery (through this file only): reading
 * a multipart upload as parts, sniffing an XML file's encoding, the streaming CSV reader (encoding and separator
 * detected), the name folding used to match people, and the WinAnsi text filter of the PDF standard fonts.
 */
export { sniffEncoding } from './aaf/aaf-parser.ts';
/** What the rollout cockpit reads of the directory (roster and activation, import, quality, sheets, staff). */
export { type AdoptionFigures, type Counts, directoryFacts, type RosterRow } from './adoption/adoption.service.ts';
export { CsvParseError, type CsvRecord, CsvRecordReader } from './csv/csv-parser.ts';
/** Staff positions ("CONSEILLER PRINCIPAL D'EDUCATION") of people in an establishment: messaging names the CPE. */
export { positionsOf } from './directory.service.ts';
export { uploadParts } from './import/imports.routes.ts';
export type { UploadPart } from './import/imports.service.ts';
export { foldName } from './import/model.ts';
/** « NOM Prénom »: the one display-name rule (import, corrections, demo, bench, tests). */
export { displayNameOf } from './names.ts';
export { pdfText } from './sheets/sheets.pdf.ts';

/**
 * What the operators' command-line tools (src/cli/directory-import.ts, measure-import.ts) use: a job recorded and
 * run in the CLI's own process, files read from disk, and the engine alone for measurements.
 */
export const importForCli = {
  establishmentByUaiOrId: (db: Db, v: string) => imports.establishmentByUaiOrId(db, v),
  insertJob: importJobs.insert,
  claimJob: importJobs.claim,
  jobById: importJobs.byId,
  runImportJob,
  runner: RUNNER,
  runImport,
  diskSource,
  contentKind,
};
export type { ImportSource } from './import/sources.ts';

export const directoryModule = defineModule({
  name: 'directory',
  prefix: '/api',
  tables: [
    'subject',
    'mef',
    'class',
    'teaching_group',
    'app_user',
    'membership',
    'enrolment',
    'guardianship',
    'teaching_assignment',
    'head_teacher',
    'user_merge',
    'membership_suspension',
    'duplicate_dismissal',
    'school_year_rollover',
    'import_job',
    'import_file_chunk',
  ],
  permissions: {
    'users.read': ['principal', 'local_admin'],
    'users.manage': ['principal', 'local_admin'],
    'imports.run': ['local_admin'],
    'school_years.manage': ['principal', 'local_admin'],
  },
  migrations: { '0010_directory_import_jobs': m0010, '0011_directory_membership_position': m0011 },
  jobs: ({ boss, db, config, log }) => registerDirectoryJobs(boss, db, config, log),
  // The module's route files, one per area (users, imports, data quality, login sheets, rollover…).
  personalData: directoryPersonalData,
  plugin: async (app) => {
    await directoryRoutes(app);
    await importRoutes(app);
    await qualityRoutes(app);
    await peopleRoutes(app);
    await duplicatesRoutes(app);
    await sheetsRoutes(app);
    await rolloverRoutes(app);
  },
});
