import type { documentsApi } from '@preau/contracts';
import type { Messages } from '../../platform/module.ts';

/** Wording of the module's problem codes (the contract lists them; a missing one does not compile). */
export const documentsMessages: Messages<(typeof documentsApi.errors)[number]> = {
  QUOTA_EXCEEDED: {
    fr: 'Votre espace est plein : {used} utilisés sur {limit}. Supprimez des documents ou videz la corbeille.',
    en: 'Your space is full: {used} used of {limit}. Delete documents or empty the trash.',
  },
  DOCUMENT_TOO_LARGE: {
    fr: 'Le fichier dépasse la taille maximale autorisée ({max}).',
    en: 'The file is larger than allowed ({max}).',
  },
  DOCUMENT_EMPTY: {
    fr: 'Le fichier « {name} » est vide.',
    en: 'The file “{name}” is empty.',
  },
  DOCUMENT_TYPE_REFUSED: {
    fr: "Le fichier « {name} » est un programme ou contient des macros : ce type de fichier n'est pas accepté.",
    en: 'The file “{name}” is a program or contains macros: this type of file is not accepted.',
  },
  DOCUMENT_TYPE_MISMATCH: {
    fr: "Le contenu du fichier « {name} » ne correspond pas à son extension .{ext} : il n'est pas accepté.",
    en: 'The content of “{name}” does not match its .{ext} extension: it is not accepted.',
  },
  DOCUMENT_NAME_INVALID: {
    fr: "Le nom « {name} » n'est pas accepté : {reason}.",
    en: 'The name “{name}” is not accepted: {reasonEn}.',
  },
  DOCUMENT_UPLOAD_INCOMPLETE: {
    fr: "L'envoi du fichier a été interrompu avant la fin : rien n'a été enregistré. Réessayez.",
    en: 'The upload stopped before its end: nothing was saved. Try again.',
  },
  DOCUMENT_FILE_MISSING: {
    fr: 'Aucun fichier reçu : joignez un seul fichier dans le champ « file ».',
    en: 'No file received: attach one file in the “file” field.',
  },
  DOCUMENT_MOVE_INVALID: {
    fr: 'Impossible de déplacer ici : un dossier ne peut pas aller dans lui-même, ni hors de son espace.',
    en: 'Cannot move there: a folder cannot go inside itself, nor out of its space.',
  },
  DOCUMENT_NOT_IN_TRASH: {
    fr: "Seul un élément de la corbeille peut être supprimé définitivement : mettez-le d'abord à la corbeille.",
    en: 'Only an item in the trash can be deleted for good: move it to the trash first.',
  },
  SHARE_NOT_ALLOWED: {
    fr: "Vous ne pouvez pas partager avec ce destinataire : un enseignant partage avec ses classes et ses groupes, un élève ou un parent avec des personnes de l'établissement.",
    en: 'You cannot share with this recipient: a teacher shares with their classes and groups, a student or a parent with people of the establishment.',
  },
  ATTACHMENT_NOT_ALLOWED: {
    fr: "Vous ne pouvez pas joindre un document que vous n'avez pas le droit de lire.",
    en: 'You cannot attach a document you may not read.',
  },
};
