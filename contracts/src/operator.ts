import { z } from 'zod';
import { defineApi } from './api.ts';
import { IsoDate } from './common.ts';

/**
 * The operator of the instance: who runs this ENT (a Région, a Département, an académie, a State service…), what
 * the legal notice, the accessibility statement and the data-protection contact say, the logo, the name and the
 * footer links. Stored in the database, edited by the platform administrator; until then a first-start default
 * says plainly that the instance is a demonstration.
 */

/** `state`: a State service — the only kind that shows the Marianne block ("République française"). */
export const OPERATOR_KINDS = ['state', 'region', 'department', 'academy', 'other'] as const;
export const OperatorKind = z.enum(OPERATOR_KINDS);
export type OperatorKind = z.infer<typeof OperatorKind>;

/** RGAA conformity: total (100 % of the criteria), partielle (≥ 50 %), non conforme (< 50 %, or not audited). */
export const AccessibilityStatus = z.enum(['full', 'partial', 'none']);
export type AccessibilityStatus = z.infer<typeof AccessibilityStatus>;

const Text = (max: number) => z.string().trim().max(max);
const Required = (max: number) => z.string().trim().min(1).max(max);
const OptionalEmail = z.union([z.literal(''), z.email().max(254)]);

/** A link of the footer: an https (or http) address, or a path of the app (`/accessibility`). */
export const FooterLinkUrl = z
  .string()
  .trim()
  .max(500)
  .refine((v) => /^https?:\/\/[^\s]+$/i.test(v) || /^\/(?!\/)[^\s]*$/.test(v), {
    message: 'url',
    params: { format: 'link' },
  });

/**
 * The logo as a `data:` URL (the CSP serves images from the app itself or `data:` only): PNG, JPEG, WebP or SVG,
 * at most 200 kB encoded; the server checks the bytes are the image they say (`LOGO_INVALID`).
 */
export const LOGO_MAX_CHARS = 200_000;
export const OperatorLogo = z.strictObject({
  dataUrl: z
    .string()
    .max(LOGO_MAX_CHARS)
    .regex(/^data:image\/(png|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/]+=*$/),
  alt: Required(200),
});
export type OperatorLogo = z.infer<typeof OperatorLogo>;

export const OperatorIdentityBody = z.strictObject({
  kind: OperatorKind,
  /** "Région Île-de-France", "Académie de Créteil". */
  name: Required(200),
  /** The ENT's name in the header (Préau by default; an operator may give it its own). */
  serviceName: Required(60),
  tagline: Text(160),
  /** Only for a State service: the lines of the Marianne block ("République\nFrançaise", or a ministry). */
  brandTop: Text(160),
  logo: OperatorLogo.nullable(),
  publisher: z.strictObject({
    /** Who publishes the service and where to write to them. */
    name: Required(200),
    address: Text(500),
    email: OptionalEmail,
    phone: Text(40),
    /** Directeur ou directrice de la publication. */
    director: Text(200),
  }),
  host: z.strictObject({ name: Text(200), address: Text(500), phone: Text(40) }),
  /** Extra text of the legal notice (paragraphs separated by a blank line). */
  legalNotice: Text(5000),
  /** Délégué à la protection des données: where people exercise their rights. */
  dpo: z.strictObject({ name: Text(200), email: OptionalEmail, address: Text(500) }),
  accessibility: z.strictObject({
    status: AccessibilityStatus,
    /** Date of the RGAA audit the status rests on; none: the status is a self-assessment. */
    auditDate: IsoDate.nullable(),
    auditBy: Text(200),
    /** Known non-accessible content, exemptions, alternatives (paragraphs). */
    statement: Text(5000),
    /** Where to report an accessibility problem: an e-mail address or a page. */
    contact: Text(500),
  }),
  footerLinks: z.array(z.strictObject({ label: Required(80), url: FooterLinkUrl })).max(8),
});
export type OperatorIdentityBody = z.infer<typeof OperatorIdentityBody>;

export const OperatorIdentity = OperatorIdentityBody.extend({
  /** False until the platform administrator saves the identity: the first-start default is shown. */
  configured: z.boolean(),
  updatedAt: z.string().nullable(),
});
export type OperatorIdentity = z.infer<typeof OperatorIdentity>;

/** One instance's in-memory caches (platform/cache.ts) and its memory, for the platform administrator and the bench. */
export const OperatorCaches = z.object({
  /** Whether this instance hears the database's invalidations: without them nothing is read from memory. */
  notifications: z.boolean(),
  memory: z.object({ rssMb: z.number(), heapUsedMb: z.number() }),
  caches: z.array(
    z.object({
      name: z.string(),
      topic: z.string(),
      entries: z.number().int(),
      max: z.number().int(),
      hits: z.number().int(),
      misses: z.number().int(),
    }),
  ),
});
export type OperatorCaches = z.infer<typeof OperatorCaches>;

export const operatorApi = defineApi({
  module: 'operator',
  permissions: [],
  errors: ['LOGO_INVALID'],
  endpoints: {
    'GET /api/operator': {
      summary: "The instance's operator: name, kind, legal notice, accessibility statement, DPO, logo, footer links",
      access: { auth: 'public' },
      response: OperatorIdentity,
      errors: [],
    },
    'PUT /api/operator': {
      summary: "Replace the operator's identity (platform administrator; audited)",
      access: { auth: 'session' },
      body: OperatorIdentityBody,
      response: OperatorIdentity,
      errors: ['LOGO_INVALID'],
    },
    'GET /api/operator/caches': {
      summary:
        "This instance's in-memory caches (entries, bound, hits and misses since it started) and its memory (platform administrator)",
      access: { auth: 'session' },
      response: OperatorCaches,
      errors: [],
    },
  },
});
