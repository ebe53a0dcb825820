import { z } from 'zod';

/** The seven profiles of DESIGN.md. A person may hold several, in several establishments. */
export const PROFILES = [
  'student',
  'guardian',
  'teacher',
  'staff',
  'principal',
  'local_admin',
  'platform_admin',
] as const;
export const Profile = z.enum(PROFILES);
export type Profile = z.infer<typeof Profile>;

/** Profiles held inside an establishment (platform_admin is platform-wide). */
export const ESTABLISHMENT_PROFILES = ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'] as const;
export const EstablishmentProfile = z.enum(ESTABLISHMENT_PROFILES);
export type EstablishmentProfile = z.infer<typeof EstablishmentProfile>;

export const Uuid = z.uuid();

/** RFC 9457 problem details, with Préau's stable `code` and per-field `errors`. */
export const Problem = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string(),
  instance: z.string().optional(),
  /** Fields at fault: a message in the request's language, and the reason's stable code when there is one. */
  errors: z.array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() })).optional(),
  retryAfterSeconds: z.number().int().optional(),
  /** RECIPIENT_NOT_ALLOWED: the recipients (persons or lists) outside the rules. */
  refused: z.array(z.string()).optional(),
});
export type Problem = z.infer<typeof Problem>;

export const IdParams = z.strictObject({ id: Uuid });

/** ISO calendar date, `YYYY-MM-DD`. */
export const IsoDate = z.iso.date();

export const UserStatus = z.enum(['pending_activation', 'active', 'blocked', 'detached']);
export type UserStatus = z.infer<typeof UserStatus>;
