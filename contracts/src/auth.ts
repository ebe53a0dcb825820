import { z } from 'zod';
import { EstablishmentProfile, UserStatus } from './common.ts';

export const Login = z.string().trim().min(1).max(100);

export const LoginBody = z.strictObject({
  login: Login,
  password: z.string().min(1).max(1024),
  rememberMe: z.boolean().optional(),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const ActivateBody = z.strictObject({
  login: Login,
  code: z.string().trim().min(4).max(64),
  password: z.string().min(1).max(1024),
  email: z.email().max(254).optional(),
});
export type ActivateBody = z.infer<typeof ActivateBody>;

export const ChangePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(1).max(1024),
});
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

/** What a person may change of their own profile (identity comes from the directory). */
export const UpdateMeBody = z.strictObject({ email: z.email().max(254).nullable() });
export type UpdateMeBody = z.infer<typeof UpdateMeBody>;

export const UserSummary = z.object({
  id: z.uuid(),
  login: z.string(),
  displayName: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string().nullable(),
  status: UserStatus,
  platformAdmin: z.boolean(),
  /** From the directory's civilité (Mme, M.), when it has one: words that agree ("Administratrice locale"). */
  gender: z.enum(['female', 'male']).nullable(),
});
export type UserSummary = z.infer<typeof UserSummary>;

export const PendingCharter = z.object({
  charterId: z.uuid(),
  establishmentId: z.uuid().nullable(),
  establishmentName: z.string().nullable(),
  version: z.number().int(),
  title: z.string(),
  body: z.string(),
  publishedAt: z.string(),
});
export type PendingCharter = z.infer<typeof PendingCharter>;

export const Membership = z.object({
  establishment: z.object({ id: z.uuid(), uai: z.string(), name: z.string(), type: z.string() }),
  profiles: z.array(EstablishmentProfile),
  functions: z.array(z.string()),
  classes: z.array(z.object({ id: z.uuid(), code: z.string(), label: z.string() })),
  children: z.array(z.object({ id: z.uuid(), displayName: z.string(), firstName: z.string() })),
  permissions: z.array(z.string()),
});
export type Membership = z.infer<typeof Membership>;

export const MeResponse = z.object({
  user: UserSummary,
  memberships: z.array(Membership),
  pendingCharters: z.array(PendingCharter),
  csrfToken: z.string(),
  passwordPolicy: z.object({ minLength: z.number().int(), maxLength: z.number().int() }),
});
export type MeResponse = z.infer<typeof MeResponse>;

/** A login's answer: the session's CSRF token, and what `GET /api/me` would answer, so the first screen needs no second request. */
export const LoginResponse = z.object({ csrfToken: z.string(), user: UserSummary, me: MeResponse.optional() });
export type LoginResponse = z.infer<typeof LoginResponse>;

/**
 * Accept a charter in force: in one establishment (`establishmentId`, one entry of `pendingCharters`), or,
 * without it, in every establishment of the caller where this charter is the one in force.
 */
export const AcceptCharterBody = z.strictObject({ charterId: z.uuid(), establishmentId: z.uuid().optional() });

export const SessionInfo = z.object({
  id: z.uuid(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string().nullable(),
  address: z.string().nullable(),
  current: z.boolean(),
  rememberMe: z.boolean(),
});
export const SessionsResponse = z.object({ sessions: z.array(SessionInfo) });
export const DeleteSessionsQuery = z.strictObject({ others: z.enum(['true']).optional() });

export const PasswordPolicyQuery = z.strictObject({ login: Login.optional() });
/**
 * The person's own rules (student minimum, their names) are used only for a session's user, or for a login
 * sent with its valid activation code: the answer never tells whether a login exists.
 */
/**
 * The first step of activation: is this the login's activation code? Checked under the activation throttle,
 * with the same answer for an unknown login, a wrong code and an expired one (400 INVALID_ACTIVATION).
 */
export const ActivationCheckBody = z.strictObject({
  login: Login,
  code: z.string().trim().min(4).max(64),
});
export type ActivationCheckBody = z.infer<typeof ActivationCheckBody>;
/** The code is right: the password rules of this person come with it (the student minimum, or the adult one). */
export const ActivationCheckResponse = z.object({
  valid: z.literal(true),
  passwordPolicy: z.object({ minLength: z.number().int(), maxLength: z.number().int() }),
});
export type ActivationCheckResponse = z.infer<typeof ActivationCheckResponse>;

export const PasswordCheckBody = z.strictObject({
  login: Login.optional(),
  code: z.string().trim().min(4).max(64).optional(),
  password: z.string().max(1024),
});
export const PasswordCheckResponse = z.object({
  ok: z.boolean(),
  minLength: z.number().int(),
  maxLength: z.number().int(),
  problems: z.array(z.enum(['TOO_SHORT', 'TOO_LONG', 'COMMON', 'CONTAINS_NAME'])),
});

/** "Mot de passe oublié": a login or an e-mail address; the answer is the same whatever it names. */
export const RecoveryRequestBody = z.strictObject({ identifier: z.string().trim().min(1).max(254) });
export const RecoveryRequested = z.object({ sent: z.literal(true) });
export const RecoveryTokenBody = z.strictObject({ token: z.string().min(20).max(100) });
export const RecoveryLink = z.object({ login: z.string(), displayName: z.string() });
export const RecoveryResetBody = z.strictObject({
  token: z.string().min(20).max(100),
  password: z.string().min(1).max(1024),
});
