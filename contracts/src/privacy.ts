import { z } from 'zod';
import { defineApi } from './api.ts';

/** One processing of personal data, as a module declares it (RGPD art. 30), in the reader's language. */
export const Processing = z.object({
  module: z.string(),
  service: z.string().nullable(),
  /** What the processing is, in a few words (the service's name, or the module's title). */
  name: z.string(),
  purpose: z.string(),
  legalBasis: z.string(),
  categories: z.array(z.object({ key: z.string(), label: z.string(), fields: z.array(z.string()) })),
  audience: z.string(),
  retention: z.string(),
});
export type Processing = z.infer<typeof Processing>;

export const ProcessingRegister = z.object({ items: z.array(Processing), generatedAt: z.string() });
export type ProcessingRegister = z.infer<typeof ProcessingRegister>;

export const privacyApi = defineApi({
  module: 'privacy',
  permissions: [],
  errors: [],
  endpoints: {
    'GET /api/privacy/register': {
      summary: 'The processing register, generated from every module’s personal-data declaration',
      access: { auth: 'session' },
      response: ProcessingRegister,
      errors: [],
    },
    'GET /api/privacy/my-data': {
      summary: "The caller's own data held by every module, as a JSON file (right of access)",
      access: { auth: 'session' },
      binary: 'application/json',
      errors: [],
    },
  },
});
