import { z } from 'zod';
import { defineApi } from './api.ts';
import { EstablishmentProfile, IdParams, UserStatus } from './common.ts';

export const EstablishmentType = z.enum(['COLLEGE', 'LYCEE', 'LP', 'LGT', 'EREA', 'OTHER']);
export type EstablishmentType = z.infer<typeof EstablishmentType>;

export const Uai = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[0-9]{7}[A-Z]$/, 'UAI: 7 chiffres et une lettre');

export const Establishment = z.object({
  id: z.uuid(),
  uai: z.string(),
  name: z.string(),
  type: z.string(),
  city: z.string().nullable(),
  slug: z.string(),
  academy: z.object({ id: z.uuid(), name: z.string() }),
  currentSchoolYear: z.string().nullable(),
});
export type Establishment = z.infer<typeof Establishment>;

export const EstablishmentList = z.object({ items: z.array(Establishment), total: z.number().int() });
export const EstablishmentListQuery = z.strictObject({
  q: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

export const CreateEstablishmentBody = z.strictObject({
  uai: Uai,
  name: z.string().trim().min(2).max(200),
  type: EstablishmentType,
  city: z.string().trim().max(120).optional(),
  academyId: z.uuid(),
  slug: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/)
    .max(80)
    .optional(),
});
export type CreateEstablishmentBody = z.infer<typeof CreateEstablishmentBody>;

export const UsersQuery = z.strictObject({
  q: z.string().trim().max(100).optional(),
  profile: EstablishmentProfile.optional(),
  class: z.string().trim().max(40).optional(),
  status: UserStatus.optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type UsersQuery = z.infer<typeof UsersQuery>;

export const UserListItem = z.object({
  id: z.uuid(),
  login: z.string(),
  displayName: z.string(),
  profiles: z.array(EstablishmentProfile),
  status: UserStatus,
  /** The label of their functions here (staff), as the directory feed gives it: "CONSEILLER PRINCIPAL D'EDUCATION". */
  position: z.string().optional(),
  classes: z.array(z.string()),
});
export const UserList = z.object({
  items: z.array(UserListItem),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const UserDetail = z.object({
  id: z.uuid(),
  login: z.string(),
  displayName: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  birthDate: z.string().nullable(),
  email: z.string().nullable(),
  status: UserStatus,
  profiles: z.array(EstablishmentProfile),
  functions: z.array(z.string()),
  /** The label of their functions here (staff), when there is one: "CONSEILLER PRINCIPAL D'EDUCATION". */
  position: z.string().optional(),
  classes: z.array(z.object({ id: z.uuid(), code: z.string(), label: z.string() })),
  children: z.array(z.object({ id: z.uuid(), displayName: z.string(), level: z.enum(['legal', 'in_charge']) })),
  guardians: z.array(z.object({ id: z.uuid(), displayName: z.string(), level: z.enum(['legal', 'in_charge']) })),
  activationExpiresAt: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  /**
   * The person also belongs to another establishment: their account-wide fields (names, birth date, e-mail,
   * phones, activation code) are theirs or the platform administrator's to change, and `status` is their
   * state in this establishment (`blocked`: suspended here).
   */
  accountShared: z.boolean(),
  /** What the caller may do with this person, computed by the server: the web app only reads these flags. */
  can: z.object({
    block: z.boolean(),
    unblock: z.boolean(),
    newActivationCode: z.boolean(),
    /** Reprint this person's login sheet (a new code if they await activation). */
    printSheet: z.boolean(),
    /** Correct class or functions here (not a detached account). */
    edit: z.boolean(),
    /** Correct the account-wide identity and contact (not an account shared with another establishment). */
    editAccount: z.boolean(),
    /** Link or unlink guardians (a student only). */
    manageGuardians: z.boolean(),
    /** Add or remove teaching assignments (a teacher only). */
    manageAssignments: z.boolean(),
    /** Make head teacher of a class, or undo it (a teacher only). */
    setHeadTeacher: z.boolean(),
  }),
});
export type UserDetail = z.infer<typeof UserDetail>;

export const UserParams = z.strictObject({ id: z.uuid(), userId: z.uuid() });
export const SetUserStatusBody = z.strictObject({ status: z.enum(['active', 'blocked']) });
export const ActivationCodeResponse = z.object({ code: z.string(), expiresAt: z.string() });

export const CharterResponse = z.object({
  current: z
    .object({
      id: z.uuid(),
      version: z.number().int(),
      title: z.string(),
      body: z.string(),
      publishedAt: z.string(),
      inherited: z.boolean(),
    })
    .nullable(),
  acceptance: z.array(z.object({ profile: EstablishmentProfile, accepted: z.number().int(), total: z.number().int() })),
});
export const PublishCharterBody = z.strictObject({
  title: z.string().trim().min(3).max(200),
  body: z.string().trim().min(10).max(100_000),
});

export const Academy = z.object({ id: z.uuid(), code: z.string(), name: z.string() });
export type Academy = z.infer<typeof Academy>;
export const AcademyList = z.object({ items: z.array(Academy) });

/** `<module>.<verb>`, as modules declare them. */
export const PermissionName = z
  .string()
  .max(100)
  .regex(/^[a-z_]+\.[a-z_]+$/);

/** One cell of an establishment's permission matrix: what the profile holds, and whether it is the default. */
export const PermissionGrant = z.object({
  profile: EstablishmentProfile,
  permission: z.string(),
  granted: z.boolean(),
  byDefault: z.boolean(),
  overridden: z.boolean(),
});
export type PermissionGrant = z.infer<typeof PermissionGrant>;

export const EstablishmentPermissions = z.object({
  permissions: z.array(z.string()),
  profiles: z.array(EstablishmentProfile),
  grants: z.array(PermissionGrant),
});
export type EstablishmentPermissions = z.infer<typeof EstablishmentPermissions>;

export const PermissionOverride = z.strictObject({
  profile: EstablishmentProfile,
  permission: PermissionName,
  granted: z.boolean(),
});
export type PermissionOverride = z.infer<typeof PermissionOverride>;

/** Replaces every override of the establishment: what is not listed falls back to the defaults. */
export const SetPermissionsBody = z.strictObject({ overrides: z.array(PermissionOverride).max(1000) });
export type SetPermissionsBody = z.infer<typeof SetPermissionsBody>;

export const establishmentsApi = defineApi({
  module: 'establishments',
  permissions: ['establishments.manage', 'permissions.manage'],
  errors: [
    'UAI_CHECK_LETTER',
    'UAI_TAKEN',
    'SLUG_TAKEN',
    'UNKNOWN_ACADEMY',
    'UNKNOWN_PERMISSION',
    'DUPLICATE_OVERRIDE',
    'PERMISSIONS_LOCKOUT',
  ],
  endpoints: {
    'GET /api/establishments': {
      summary: 'Establishments: all of them for a platform admin, else those one is a member of (50 per page)',
      access: { auth: 'session' },
      query: EstablishmentListQuery,
      response: EstablishmentList,
      errors: [],
    },
    'POST /api/establishments': {
      summary: 'Create an establishment by hand, with its current school year (audited)',
      access: { permission: 'establishments.manage' },
      body: CreateEstablishmentBody,
      status: 201,
      response: Establishment,
      errors: ['UAI_CHECK_LETTER', 'UAI_TAKEN', 'SLUG_TAKEN', 'UNKNOWN_ACADEMY'],
    },
    'GET /api/academies': {
      summary: 'Académies, for the establishment creation form',
      access: { permission: 'establishments.manage' },
      response: AcademyList,
      errors: [],
    },
    'GET /api/establishments/:id': {
      summary: 'One establishment: its members and platform admins only',
      access: { auth: 'session' },
      params: IdParams,
      response: Establishment,
      errors: [],
    },
    'GET /api/establishments/:id/permissions': {
      summary: 'Effective permissions per profile: defaults and the establishment overrides',
      access: { permission: 'permissions.manage' },
      params: IdParams,
      response: EstablishmentPermissions,
      errors: [],
    },
    'PUT /api/establishments/:id/permissions': {
      summary: "Replace the establishment's permission overrides (audited)",
      access: { permission: 'permissions.manage' },
      params: IdParams,
      body: SetPermissionsBody,
      response: EstablishmentPermissions,
      errors: ['UNKNOWN_PERMISSION', 'DUPLICATE_OVERRIDE', 'PERMISSIONS_LOCKOUT'],
    },
  },
});
