import type { Db } from '../../platform/db/schema.ts';
import type { IndicatorDefinition, NotificationKind, PersonalDataDeclaration } from '../../platform/module.ts';
import { indicators, personal } from './documents.repository.ts';

/** What the documents module posts on the timeline. */
export const documentsNotifications: NotificationKind[] = [
  {
    kind: 'documents.shared',
    label: {
      fr: 'Un document a été partagé avec vous ou avec votre classe',
      en: 'A document was shared with you or your class',
    },
    profiles: ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'],
    defaultDelivery: 'app',
  },
  {
    kind: 'documents.added',
    label: {
      fr: "Nouveau document dans l'espace d'une classe ou d'un groupe",
      en: 'New document in a class or group space',
    },
    profiles: ['student', 'guardian'],
    defaultDelivery: 'app',
  },
];

const days = (from: string, to: string) =>
  Math.max(1, Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000) + 1);

/** Offered to the rollout cockpit; computed from the module's own rows only. */
export const documentsIndicators: IndicatorDefinition[] = [
  {
    key: 'documents.shares_per_week',
    label: { fr: 'Documents partagés par semaine', en: 'Documents shared per week' },
    unit: 'count',
    compute: async (db, establishmentId, { from, to }) => {
      const n = await indicators.sharesBetween(db, establishmentId, from, to);
      return { value: Math.round((n / days(from, to)) * 7 * 10) / 10, numerator: n, denominator: days(from, to) / 7 };
    },
  },
  {
    key: 'documents.teachers_sharing',
    label: {
      fr: 'Part des enseignants ayant partagé au moins un document avec une classe',
      en: 'Share of teachers who shared at least one document with a class',
    },
    unit: 'rate',
    compute: async (db, establishmentId, { from, to }) => {
      const { teachers, sharing } = await indicators.teachersSharing(db, establishmentId, from, to);
      return { value: teachers === 0 ? 0 : sharing / teachers, numerator: sharing, denominator: teachers };
    },
  },
];

async function exportFor(db: Db, userId: string) {
  const { files, made } = await personal.of(db, userId);
  return {
    files: files.map((f) => ({
      name: f.name,
      size: Number(f.size),
      type: f.mime,
      version: f.version,
      space: f.kind,
      createdAt: new Date(f.created_at).toISOString(),
      updatedAt: new Date(f.updated_at).toISOString(),
      inTrashSince: f.trashed_at ? new Date(f.trashed_at).toISOString() : null,
    })),
    sharesMade: made.map((s) => ({
      item: s.document ?? s.folder,
      with: s.grantee_kind === 'user' ? 'une personne' : `${s.grantee_kind} ${s.grantee_profile ?? ''}`.trim(),
      right: s.right,
      at: new Date(s.created_at).toISOString(),
    })),
  };
}

export const documentsPersonalData: PersonalDataDeclaration = {
  purpose: {
    fr: "Permettre à chacun de déposer, ranger et partager des documents avec sa classe, ses collègues et sa famille, et d'en garder les versions.",
    en: 'Let everyone store, organise and share documents with their class, colleagues and family, and keep their versions.',
  },
  legalBasis: {
    fr: "Mission d'intérêt public de l'établissement (RGPD, art. 6-1-e) ; arrêté ENT du 30 novembre 2006.",
    en: "The school's public-interest mission (GDPR art. 6-1-e); French ENT decree of 30 November 2006.",
  },
  categories: [
    {
      key: 'files',
      label: { fr: 'Documents déposés et leurs versions', en: 'Documents uploaded and their versions' },
      fields: ['name', 'size', 'type', 'content', 'version', 'author', 'createdAt', 'updatedAt', 'trashedAt'],
    },
    {
      key: 'shares',
      label: { fr: 'Partages faits et reçus', en: 'Shares made and received' },
      fields: ['item', 'recipient', 'right', 'createdAt', 'createdBy'],
    },
    {
      key: 'quota',
      label: { fr: 'Espace utilisé', en: 'Space used' },
      fields: ['usedBytes'],
    },
  ],
  audience: {
    fr: "L'auteur ; les personnes et groupes avec qui il partage ; dans l'espace d'une classe ou d'un groupe, ses enseignants et ses élèves (ses parents pour les dossiers qui leur sont ouverts) ; dans l'espace administratif, la direction et les personnels qu'elle désigne ; la bibliothèque de l'académie, ses personnels.",
    en: 'The author; the people and groups they share with; in a class or group space, its teachers and students (its parents for the folders opened to them); in the administrative space, the direction and the staff it names; the académie library, its staff.',
  },
  retention: {
    fr: "Jusqu'à leur suppression par leur auteur ; la corbeille est vidée au bout de 30 jours ; un document joint à un message ou à une séance est conservé tant que ce message ou cette séance l'est. L'effacement automatique au départ de l'établissement n'est pas encore en place.",
    en: 'Until their author deletes them; the trash is emptied after 30 days; a document attached to a message or a lesson is kept as long as that message or lesson. Automatic erasure when leaving the establishment is not in place yet.',
  },
  exportFor,
};
