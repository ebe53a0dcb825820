import type { messagingApi } from '@preau/contracts';
import type { Messages } from '../../platform/module.ts';

/** Wording of the module's problem codes (the contract lists them; a missing one does not compile). */
export const messagingMessages: Messages<(typeof messagingApi.errors)[number]> = {
  RECIPIENT_NOT_ALLOWED: {
    fr: "Vous ne pouvez pas écrire à certains destinataires : les règles de communication de l'établissement ne le permettent pas. Rien n'a été envoyé.",
    en: "You may not write to some recipients: the establishment's communication rules do not allow it. Nothing was sent.",
  },
  SENDING_SUSPENDED: {
    fr: "L'envoi de messages est suspendu pour votre profil dans cet établissement. Vous pouvez toujours lire vos messages.",
    en: 'Sending messages is suspended for your profile in this establishment. You can still read your messages.',
  },
  TOO_MANY_RECIPIENTS: {
    fr: 'Trop de destinataires : {count} pour {max} au plus par message. Rien n’a été envoyé.',
    en: 'Too many recipients: {count} for at most {max} per message. Nothing was sent.',
  },
  SEND_RATE_LIMITED: {
    fr: "Vous avez envoyé trop de messages en une heure. Réessayez dans {seconds} secondes ; la direction de l'établissement est prévenue.",
    en: 'You have sent too many messages in an hour. Try again in {seconds} seconds; the direction has been told.',
  },
  UNSAFE_CONTENT: {
    fr: "Le message contient du contenu actif (script, code ou lien dangereux) : il n'a pas été enregistré.",
    en: 'The message contains active content (a script, code or dangerous link): it was not saved.',
  },
  MESSAGE_TOO_LONG: {
    fr: 'Le message est trop long : {max} caractères au plus. Joignez plutôt un document.',
    en: 'The message is too long: {max} characters at most. Attach a document instead.',
  },
  REPLY_NOT_ALLOWED: {
    fr: 'Ce message a été envoyé « sans réponse possible ».',
    en: 'This message was sent with “no reply”.',
  },
  NOTHING_TO_RECALL: {
    fr: 'Tous les destinataires ont déjà lu ce message : il ne peut plus être rappelé.',
    en: 'Every recipient has already read this message: it can no longer be recalled.',
  },
  NOT_A_DRAFT: {
    fr: "Ce message n'est plus un brouillon : il a déjà été envoyé.",
    en: 'This message is no longer a draft: it has been sent.',
  },
  NO_RECIPIENT: {
    fr: "Aucun destinataire : les listes choisies sont vides. Rien n'a été envoyé.",
    en: 'No recipient: the lists chosen are empty. Nothing was sent.',
  },
  ATTACHMENT_NOT_ALLOWED: {
    fr: "Vous ne pouvez pas joindre un document que vous n'avez pas le droit de lire.",
    en: 'You cannot attach a document you may not read.',
  },
};
