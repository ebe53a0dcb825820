import type { ApiErrorCode } from '@preau/contracts';

/** Server-side messages (problem details). French by default, English with `Accept-Language: en`. */
export type Lang = 'fr' | 'en';

const messages = {
  VALIDATION: { fr: 'Certaines valeurs envoyées ne sont pas valides.', en: 'Some values sent are not valid.' },
  BAD_REQUEST: { fr: 'La requête est mal formée.', en: 'The request is malformed.' },
  INVALID_JSON: { fr: "Le corps de la requête n'est pas un JSON valide.", en: 'The request body is not valid JSON.' },
  PAYLOAD_TOO_LARGE: { fr: 'Le contenu envoyé est trop volumineux.', en: 'The content sent is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { fr: "Ce type de contenu n'est pas accepté.", en: 'This content type is not accepted.' },
  UNAUTHENTICATED: { fr: 'Vous devez vous connecter.', en: 'You must log in.' },
  INVALID_CREDENTIALS: {
    fr: 'Identifiant ou mot de passe incorrect.',
    en: 'Incorrect login or password.',
  },
  INVALID_ACTIVATION: {
    fr: "Identifiant ou code d'activation incorrect, ou code expiré.",
    en: 'Incorrect login or activation code, or expired code.',
  },
  INVALID_RECOVERY_LINK: {
    fr: 'Ce lien de réinitialisation est expiré, déjà utilisé ou incomplet. Demandez-en un nouveau.',
    en: 'This reset link is expired, already used or incomplete. Ask for a new one.',
  },
  ACCOUNT_BLOCKED: {
    fr: "Ce compte est bloqué. Contactez l'administrateur de votre établissement.",
    en: 'This account is blocked. Contact your school administrator.',
  },
  TOO_MANY_ATTEMPTS: {
    fr: 'Trop de tentatives. Réessayez dans {seconds} {seconds|seconde|secondes}.',
    en: 'Too many attempts. Try again in {seconds} {seconds|second|seconds}.',
  },
  SERVER_BUSY: {
    fr: 'Beaucoup de connexions en ce moment : réessayez dans {seconds} s.',
    en: 'Many people are logging in right now: try again in {seconds} s.',
  },
  CSRF: {
    fr: 'Jeton de sécurité (CSRF) absent ou invalide. Rechargez la page.',
    en: 'Missing or invalid security (CSRF) token. Reload the page.',
  },
  BAD_ORIGIN: { fr: 'Origine de la requête non autorisée.', en: 'Request origin not allowed.' },
  FORBIDDEN: { fr: "Vous n'avez pas le droit de faire cela.", en: 'You are not allowed to do that.' },
  NOT_FOUND: { fr: 'Introuvable.', en: 'Not found.' },
  SERVICE_CLOSED: {
    fr: "Ce service n'est pas ouvert pour vous dans cet établissement.",
    en: 'This service is not open to you in this establishment.',
  },
  CHARTER_NOT_ACCEPTED: {
    fr: "Vous devez accepter la charte d'usage de l'établissement.",
    en: "You must accept the establishment's charter.",
  },
  PASSWORD_POLICY: {
    fr: 'Ce mot de passe ne respecte pas les règles.',
    en: 'This password does not follow the rules.',
  },
  PASSWORD_TOO_SHORT: { fr: 'Au moins {min} caractères.', en: 'At least {min} characters.' },
  PASSWORD_TOO_LONG: { fr: 'Au plus {max} caractères.', en: 'At most {max} characters.' },
  PASSWORD_COMMON: {
    fr: 'Ce mot de passe est trop courant : choisissez-en un autre.',
    en: 'This password is too common: choose another.',
  },
  PASSWORD_CONTAINS_NAME: {
    fr: 'Le mot de passe ne doit pas contenir vos nom, prénom ou identifiant.',
    en: 'The password must not contain your names or login.',
  },
  WRONG_PASSWORD: { fr: 'Le mot de passe actuel est incorrect.', en: 'The current password is incorrect.' },
  CONFLICT: { fr: 'Cette valeur existe déjà.', en: 'This value already exists.' },
  CANNOT_BLOCK_SELF: {
    fr: 'Vous ne pouvez pas bloquer votre propre compte.',
    en: 'You cannot block your own account.',
  },
  ALREADY_ACTIVE: {
    fr: 'Ce compte est déjà activé : il se connecte avec son mot de passe.',
    en: 'This account is already active: it logs in with its password.',
  },
  ACCOUNT_NOT_PENDING: {
    fr: "Ce compte n'attend pas d'activation : aucun code ne peut lui être remis.",
    en: 'This account is not awaiting activation: no code can be issued.',
  },
  STATUS_CHANGE_NOT_ALLOWED: {
    fr: "Ce compte ne peut pas passer à cet état : un compte non activé s'active avec son code, un compte détaché ne se modifie pas.",
    en: 'This account cannot take this status: a pending account activates with its code, a detached account cannot be changed.',
  },
  // directory administration: people, links, assignments, merges, login sheets
  NOT_A_STUDENT: {
    fr: "Cette personne n'est pas élève dans l'établissement.",
    en: 'This person is not a student here.',
  },
  NOT_A_TEACHER: {
    fr: "Cette personne n'est pas enseignante dans l'établissement.",
    en: 'This person is not a teacher here.',
  },
  FUNCTIONS_NOT_APPLICABLE: {
    fr: 'Seuls les personnels ont des fonctions.',
    en: 'Only staff members have functions.',
  },
  GUARDIAN_OF_SELF: {
    fr: 'Une personne ne peut pas être son propre responsable.',
    en: 'A person cannot be their own guardian.',
  },
  UNKNOWN_SUBJECT: { fr: 'Matière inconnue.', en: 'Unknown subject.' },
  ALREADY_ASSIGNED: {
    fr: 'Cet enseignant a déjà ce service dans cette classe ou ce groupe.',
    en: 'This teacher already teaches this subject to this class or group.',
  },
  ALREADY_HEAD_TEACHER: {
    fr: 'Cet enseignant est déjà professeur principal de cette classe.',
    en: 'This teacher is already head teacher of this class.',
  },
  PERSON_DETACHED: {
    fr: "Ce compte est détaché de l'annuaire : il ne se modifie plus.",
    en: 'This account is detached from the directory: it can no longer be changed.',
  },
  PERSON_IN_OTHER_ESTABLISHMENT: {
    fr: "Cette personne est aussi inscrite dans un autre établissement : son compte (nom, date de naissance, adresse électronique, téléphones, code d'activation, fusion) ne peut être modifié que par elle-même, depuis son compte, ou par l'administrateur de la plateforme.",
    en: 'This person also belongs to another establishment: their account (names, birth date, e-mail, phones, activation code, merges) can only be changed by the person, from their account, or by the platform administrator.',
  },
  ACCOUNT_FIELD_SHARED: {
    fr: "Modifiable seulement par la personne ou par l'administrateur de la plateforme (compte partagé avec un autre établissement).",
    en: 'Only the person or the platform administrator can change this (account shared with another establishment).',
  },
  MERGE_SAME_PERSON: {
    fr: 'Choisissez deux comptes différents.',
    en: 'Choose two different accounts.',
  },
  MERGE_SELF: {
    fr: 'Vous ne pouvez pas fusionner votre propre compte dans un autre.',
    en: 'You cannot merge your own account into another.',
  },
  MERGE_OTHER_ESTABLISHMENTS: {
    fr: "Le compte à fusionner appartient aussi à un autre établissement : l'administrateur académique doit s'en charger.",
    en: 'The account to merge also belongs to another establishment: the academy administrator must do it.',
  },
  MERGE_RELATED: {
    fr: "Ces deux comptes sont liés (responsable et élève) : ce n'est pas la même personne.",
    en: 'These two accounts are linked (guardian and student): they are not the same person.',
  },
  MERGE_DIFFERENT_KINDS: {
    fr: 'Un élève et un adulte (responsable, personnel) ne sont pas la même personne : ces comptes ne peuvent pas être fusionnés.',
    en: 'A student and an adult (guardian, staff) are not the same person: these accounts cannot be merged.',
  },
  PAIR_ALREADY_DISMISSED: {
    fr: 'Ces deux comptes sont déjà marqués « pas la même personne ».',
    en: 'These two accounts are already marked "not the same person".',
  },
  DISMISSAL_ALREADY_UNDONE: {
    fr: 'Cette décision « pas la même personne » a déjà été annulée.',
    en: 'This "not the same person" decision has already been undone.',
  },
  MERGE_NOT_LIVE: {
    fr: 'Un des deux comptes est déjà détaché ou fusionné.',
    en: 'One of the two accounts is already detached or merged.',
  },
  MERGE_UNDO_EXPIRED: {
    fr: 'Le délai pour annuler cette fusion est dépassé.',
    en: 'The delay to undo this merge has passed.',
  },
  MERGE_ALREADY_UNDONE: { fr: 'Cette fusion a déjà été annulée.', en: 'This merge has already been undone.' },
  MERGE_STATE_CHANGED: {
    fr: "Les comptes ont changé depuis la fusion (autre fusion, import) : annulez d'abord les fusions plus récentes.",
    en: 'The accounts changed since the merge (another merge, an import): undo the later merges first.',
  },
  TOO_MANY_SHEETS: {
    fr: 'Trop de fiches pour un seul document ({count}, au plus {max}) : choisissez une classe.',
    en: 'Too many sheets for one document ({count}, at most {max}): choose a class.',
  },
  CONFIRMATION_REQUIRED: {
    fr: "Confirmez le remplacement des codes d'activation en cours. Fiches déjà imprimées qui ne fonctionneront plus : {count}.",
    en: 'Confirm replacing the current activation codes. Sheets already printed that will stop working: {count}.',
  },
  ACCOUNT_NOT_PRINTABLE: {
    fr: "Ce compte est bloqué dans l'établissement ou détaché : il n'a pas de fiche de connexion.",
    en: 'This account is blocked in this establishment or detached: it has no login sheet.',
  },
  CLASS_NOT_APPLICABLE: {
    fr: 'Les personnels ne se choisissent pas par classe.',
    en: 'Staff are not chosen by class.',
  },
  ROLLOVER_TOO_EARLY: {
    fr: "L'année {label} n'est pas terminée : le passage à l'année suivante est possible à partir du {date}. Pour le faire quand même, confirmez en tapant le nom de l'année.",
    en: 'The year {label} is not over: moving to the next year is possible from {date}. To do it anyway, confirm by typing the year label.',
  },
  ROLLOVER_CONFIRMATION_MISMATCH: {
    fr: "Pour passer en avance à l'année suivante, tapez exactement le nom de l'année en cours : {label}.",
    en: 'To move early to the next year, type exactly the label of the current year: {label}.',
  },
  ROLLOVER_ALREADY_UNDONE: {
    fr: "Ce passage à l'année suivante a déjà été annulé.",
    en: 'This rollover has already been undone.',
  },
  ROLLOVER_UNDO_EXPIRED: {
    fr: "Le délai pour annuler ce passage à l'année suivante est dépassé.",
    en: 'The delay to undo this rollover has passed.',
  },
  ROLLOVER_STATE_CHANGED: {
    fr: "Les années scolaires ont changé depuis ce passage (un autre passage a suivi) : annulez d'abord le plus récent.",
    en: 'The school years changed since this rollover (another one followed): undo the latest first.',
  },
  ROLLOVER_YEAR_IN_USE: {
    fr: "L'année {label} contient déjà des classes, des groupes ou des services (un import l'a remplie) : le passage ne peut plus être annulé.",
    en: 'The year {label} already holds classes, groups or assignments (an import filled it): the rollover can no longer be undone.',
  },
  SCHOOL_YEAR_CHANGED: {
    fr: "L'année scolaire en cours a changé entre-temps ({current}) : rechargez l'aperçu.",
    en: 'The current school year changed meanwhile ({current}): reload the preview.',
  },
  IMPORT_NO_FILES: { fr: 'Aucun fichier à importer.', en: 'No file to import.' },
  IMPORT_FILE_TYPE: {
    fr: "Le fichier « {file} » n'est ni un fichier XML de l'annuaire (AAF) ni un fichier texte CSV.",
    en: 'The file "{file}" is neither a directory XML file (AAF) nor a CSV text file.',
  },
  IMPORT_MIXED_KINDS: {
    fr: 'Importez les fichiers XML (AAF) et les fichiers CSV séparément.',
    en: 'Import the XML (AAF) files and the CSV files separately.',
  },
  IMPORT_ESTABLISHMENT_REQUIRED: {
    fr: "Précisez l'établissement auquel ces fichiers CSV se rapportent.",
    en: 'Say which establishment these CSV files belong to.',
  },
  IMPORT_MAPPING_INVALID: {
    fr: 'La correspondance des colonnes est invalide : {detail}',
    en: 'The column mapping is invalid: {detail}',
  },
  IMPORT_TOO_MANY_FILES: {
    fr: 'Trop de fichiers dans un même envoi : au plus {max}, fichiers des archives compris. Envoyez-les en plusieurs fois.',
    en: 'Too many files in one upload: at most {max}, files inside archives included. Send them in several uploads.',
  },
  IMPORT_TOO_MANY_FIELDS: {
    fr: "Trop de champs de formulaire dans l'envoi : au plus {max}.",
    en: 'Too many form fields in the upload: at most {max}.',
  },
  IMPORT_FILE_TOO_LARGE: {
    fr: 'Le fichier « {file} » dépasse la taille maximale d’un fichier : {max} Mo.',
    en: 'The file "{file}" is larger than the largest file accepted: {max} MB.',
  },
  IMPORT_UPLOAD_TOO_LARGE: {
    fr: "L'envoi dépasse la taille totale maximale, archives décompressées : {max} Go. Envoyez les fichiers en plusieurs fois.",
    en: 'The upload is larger than the largest total accepted, archives expanded: {max} GB. Send the files in several uploads.',
  },
  IMPORT_ARCHIVE_TOO_MANY_ENTRIES: {
    fr: "L'archive « {file} » contient trop de fichiers : au plus {max}.",
    en: 'The archive "{file}" holds too many files: at most {max}.',
  },
  IMPORT_ARCHIVE_TOO_LARGE: {
    fr: "L'archive « {file} » est trop volumineuse une fois décompressée : au plus {max} Go.",
    en: 'The archive "{file}" is too large once expanded: at most {max} GB.',
  },
  IMPORT_ARCHIVE_RATIO: {
    fr: "L'archive « {file} » est refusée par sécurité : décompressée, elle ferait plus de {max} fois sa taille compressée (taux de compression maximal : {max}).",
    en: 'The archive "{file}" is refused for safety: expanded, it would be more than {max} times its compressed size (highest compression ratio: {max}).',
  },
  IMPORT_ARCHIVE_UNSAFE_PATH: {
    fr: "L'archive « {file} » contient un chemin interdit : « {entry} » (les chemins absolus et les « .. » sont refusés).",
    en: 'The archive "{file}" holds a forbidden path: "{entry}" (absolute paths and ".." are refused).',
  },
  IMPORT_ARCHIVE_LINK: {
    fr: "L'archive « {file} » contient un lien : « {entry} ». Les liens sont refusés ; mettez les fichiers eux-mêmes dans l'archive.",
    en: 'The archive "{file}" holds a link: "{entry}". Links are refused; put the files themselves in the archive.',
  },
  IMPORT_ARCHIVE_INVALID: {
    fr: "L'archive « {file} » est illisible ou abîmée (ni un .zip ni un .tar.gz valide).",
    en: 'The archive "{file}" cannot be read or is damaged (neither a valid .zip nor a valid .tar.gz).',
  },
  IMPORT_RESOLUTIONS_INVALID: {
    fr: 'Les choix pour les lignes ambiguës sont invalides : pour chaque ligne, une personne proposée, « new » ou « skip ».',
    en: 'The choices for ambiguous rows are invalid: for each row, one of the people offered, "new" or "skip".',
  },
  IMPORT_STRUCTURE_NOT_ALLOWED: {
    fr: "Ces fichiers décrivent un établissement que vous n'administrez pas.",
    en: 'These files describe an establishment you do not administer.',
  },
  INTERNAL: { fr: 'Une erreur inattendue est survenue.', en: 'An unexpected error occurred.' },
  DATABASE_DOWN: { fr: 'La base de données ne répond pas.', en: 'The database is not answering.' },
} as const satisfies Record<string, Record<Lang, string>>;

/** The platform's own codes (and, until they move into their modules, the early modules'). */
export type PlatformMessageKey = keyof typeof messages;

/**
 * Every problem code: the platform's, plus each module's own (declared in its contract, `errors`, and worded
 * in its `messages`, registered by buildApp). A code nobody declared does not type-check.
 */
export type MessageKey = PlatformMessageKey | ApiErrorCode;

const moduleMessages = new Map<string, Record<Lang, string>>();

/**
 * Called by buildApp with each module's `messages`. A code worded twice differently is a start-up error; two
 * modules may share a code (e.g. PERIOD_TOO_LONG) when they word it the same.
 */
export function registerMessages(module: string, wording: Record<string, Record<Lang, string>>): void {
  for (const [code, text] of Object.entries(wording)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(code)) throw new Error(`Module ${module}: bad problem code ${code}`);
    const existing = moduleMessages.get(code);
    const same = existing !== undefined && existing.fr === text.fr && existing.en === text.en;
    if ((code in messages || existing) && !same) {
      throw new Error(`Module ${module}: problem code ${code} is already worded elsewhere`);
    }
    moduleMessages.set(code, text);
  }
}

/** Whether a code has wording (the app checks every code a module's contract declares). */
export function isWorded(code: string): boolean {
  return code in messages || moduleMessages.has(code);
}

/**
 * The wording of a code in a language, with its variables: `{name}` is replaced by the value, and
 * `{count|seconde|secondes}` by the singular or plural word for that number — French singular for 0 and 1
 * ("0 anomalie", "1 seconde"), English for 1 only.
 */
export function t(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const wording = (messages as Record<string, Record<Lang, string>>)[key] ?? moduleMessages.get(key);
  return format(lang, wording ? wording[lang] : messages.INTERNAL[lang], vars);
}

export function format(lang: Lang, text: string, vars: Record<string, string | number>): string {
  let out = text.replace(/\{(\w+)\|([^|}]*)\|([^}]*)\}/g, (whole, name: string, one: string, other: string) => {
    const n = Number(vars[name]);
    if (!Number.isFinite(n)) return whole;
    return (lang === 'fr' ? Math.abs(n) < 2 : Math.abs(n) === 1) ? one : other;
  });
  for (const [k, v] of Object.entries(vars)) out = out.replaceAll(`{${k}}`, String(v));
  return out;
}

/** First supported language of an Accept-Language header; French otherwise. */
export function pickLang(header: string | undefined): Lang {
  if (!header) return 'fr';
  const langs = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of langs) {
    if (tag.startsWith('fr')) return 'fr';
    if (tag.startsWith('en')) return 'en';
  }
  return 'fr';
}
