import type { FieldError } from '../errors.ts';
import { format, isWorded, type Lang, type MessageKey, t } from '../i18n.ts';

/*
 * The fields at fault of a problem, worded for people in the request's language. A field error whose message is a
 * problem code (`WRONG_PASSWORD`) gets that code's wording; a schema refusal (zod's issue: `too_small`,
 * `invalid_format`…) gets a sentence from the table below instead of zod's English. The code stays in `code`, for
 * programs and for clients that word it themselves.
 */

type Wording = Record<Lang, string>;

const REQUIRED: Wording = { fr: 'Ce champ est obligatoire.', en: 'This field is required.' };
const INVALID: Wording = { fr: "Cette valeur n'est pas valide.", en: 'This value is not valid.' };

const SIZE: Record<'small' | 'big', Record<'string' | 'array' | 'number', Wording>> = {
  small: {
    string: { fr: 'Au moins {n} {n|caractère|caractères}.', en: 'At least {n} {n|character|characters}.' },
    array: { fr: 'Au moins {n} {n|élément|éléments}.', en: 'At least {n} {n|item|items}.' },
    number: { fr: 'Au moins {n}.', en: 'At least {n}.' },
  },
  big: {
    string: { fr: 'Au plus {n} {n|caractère|caractères}.', en: 'At most {n} {n|character|characters}.' },
    array: { fr: 'Au plus {n} {n|élément|éléments}.', en: 'At most {n} {n|item|items}.' },
    number: { fr: 'Au plus {n}.', en: 'At most {n}.' },
  },
};

const FORMATS: Record<string, Wording> = {
  email: {
    fr: 'Adresse électronique invalide. Format attendu : nom@domaine.fr',
    en: 'Invalid e-mail address. Expected format: name@domain.org',
  },
  uuid: { fr: 'Identifiant invalide.', en: 'Invalid identifier.' },
  guid: { fr: 'Identifiant invalide.', en: 'Invalid identifier.' },
  date: { fr: 'Date invalide. Format attendu : AAAA-MM-JJ.', en: 'Invalid date. Expected format: YYYY-MM-DD.' },
  datetime: { fr: 'Date et heure invalides.', en: 'Invalid date and time.' },
  url: { fr: 'Adresse web invalide.', en: 'Invalid web address.' },
  link: {
    fr: 'Adresse invalide : une adresse web (https://…) ou une page de l’ENT (/page).',
    en: 'Invalid address: a web address (https://…) or a page of the ENT (/page).',
  },
};
const BAD_FORMAT: Wording = {
  fr: "Le format de cette valeur n'est pas celui attendu.",
  en: 'This value is not in the expected format.',
};
const NOT_OFFERED: Wording = {
  fr: 'Cette valeur ne fait pas partie des choix possibles.',
  en: 'This value is not one of the choices.',
};
const UNKNOWN_FIELDS: Wording = {
  fr: '{n|Champ inconnu|Champs inconnus} : {keys}.',
  en: 'Unknown {n|field|fields}: {keys}.',
};

/** The person-facing sentence for one zod issue (`keyword` is the issue's code, `params` its other fields). */
export function schemaIssueMessage(
  lang: Lang,
  keyword: string,
  params: Record<string, unknown> = {},
  zodMessage = '',
): string {
  switch (keyword) {
    case 'invalid_type':
      // zod says "received undefined" for a missing field (the input itself is not reported).
      return (/received undefined|received null/.test(zodMessage) ? REQUIRED : INVALID)[lang];
    case 'too_small':
    case 'too_big': {
      const n = Number(keyword === 'too_small' ? params.minimum : params.maximum);
      const origin = params.origin === 'string' || params.origin === 'array' ? params.origin : 'number';
      if (keyword === 'too_small' && origin === 'string' && n === 1) return REQUIRED[lang];
      return format(lang, SIZE[keyword === 'too_small' ? 'small' : 'big'][origin][lang], { n });
    }
    case 'invalid_format':
      return (FORMATS[String(params.format)] ?? BAD_FORMAT)[lang];
    case 'invalid_value':
      return NOT_OFFERED[lang];
    case 'unrecognized_keys': {
      const keys = Array.isArray(params.keys) ? params.keys.map(String) : [];
      return format(lang, UNKNOWN_FIELDS[lang], { n: keys.length, keys: keys.join(', ') });
    }
    case 'custom': {
      // a refinement may name its format: `.refine(…, { params: { format: 'link' } })`
      const named = (params.params as { format?: string } | undefined)?.format ?? params.format;
      return (FORMATS[String(named)] ?? INVALID)[lang];
    }
    default:
      return INVALID[lang];
  }
}

/** A use case's field errors, worded: a message that is a problem code becomes that code's wording. */
export function wordFieldErrors(lang: Lang, errors: FieldError[]): FieldError[] {
  return errors.map((e) =>
    isWorded(e.message) ? { path: e.path, message: t(lang, e.message as MessageKey), code: e.code ?? e.message } : e,
  );
}
