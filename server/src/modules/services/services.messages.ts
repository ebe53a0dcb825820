import type { servicesApi } from '@preau/contracts';
import type { Messages } from '../../platform/module.ts';

/** Wording of the module's problem codes (the contract lists them; a missing one does not compile). */
export const servicesMessages: Messages<(typeof servicesApi.errors)[number]> = {
  INVALID_DATES: {
    fr: "La date de généralisation ne peut pas précéder la date d'ouverture.",
    en: 'The generalisation date cannot be before the opening date.',
  },
};
