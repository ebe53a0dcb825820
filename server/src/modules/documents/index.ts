import { documentsApi } from '@preau/contracts';
import { defineModule } from '../../platform/module.ts';
import * as m0100 from './0100_documents_core.ts';
import * as m0101 from './0101_documents_cache_invalidation.ts';
import { documentsIndicators, documentsNotifications, documentsPersonalData } from './documents.declarations.ts';
import { seedDocumentsDemo } from './documents.demo.ts';
import { documentsJobs } from './documents.jobs.ts';
import { documentsMessages } from './documents.messages.ts';
import { documentsRoutes } from './documents.routes.ts';

export { purgeDocuments } from './documents.jobs.ts';
export {
  type AttachedDocument,
  attachDocuments,
  copyReferences,
  demoDocumentNamed,
  detachDocuments,
  type Holder,
  referencesOf,
  referenceUrl,
  replaceAttachments,
} from './references.ts';

/**
 * Documents (espace documentaire): personal, class, group and administrative spaces, the académie's library,
 * shares, versions, and documents attached by reference to other modules' objects (never copied).
 */
export const documentsModule = defineModule({
  name: 'documents',
  service: 'documents',
  prefix: '/api/documents',
  api: documentsApi,
  tables: [
    'document_space',
    'document_folder',
    'document_blob',
    'document',
    'document_version',
    'document_share',
    'document_reference',
    'document_quota',
    'document_delegate',
  ],
  migrations: { '0100_documents_core': m0100, '0101_documents_cache_invalidation': m0101 },
  permissions: {
    'documents.read': ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'],
    'documents.write': ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'],
    'documents.share': ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'],
    'documents.manage': ['principal', 'local_admin'],
  },
  messages: documentsMessages,
  jobs: documentsJobs,
  notifications: documentsNotifications,
  indicators: documentsIndicators,
  personalData: documentsPersonalData,
  demo: seedDocumentsDemo,
  plugin: documentsRoutes,
});
