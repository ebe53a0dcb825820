import { z } from 'zod';
import { defineApi } from './api.ts';
import {
  type EstablishmentProfile,
  EstablishmentProfile as EstablishmentProfileSchema,
  IdParams,
  IsoDate,
} from './common.ts';

/** The keys of the ENT services: stable, used in URLs, settings and usage events. */
export const SERVICE_KEYS = [
  'logbook',
  'timetable',
  'school_life',
  'grades',
  'messaging',
  'documents',
  'calendar',
  'news',
  'public_site',
  'resources',
  'helpdesk',
  'rollout',
] as const;
export const ServiceKey = z.enum(SERVICE_KEYS);
export type ServiceKey = z.infer<typeof ServiceKey>;

export const ServiceStatus = z.enum(['mandatory', 'recommended', 'closed']);
export type ServiceStatus = z.infer<typeof ServiceStatus>;

export interface CatalogueEntry {
  key: ServiceKey;
  name: { fr: string; en: string };
  description: { fr: string; en: string };
  /** Profiles that see the service when the establishment has not said otherwise. */
  defaultProfiles: readonly EstablishmentProfile[];
  defaultStatus: ServiceStatus;
  /** Whether the service's screens exist yet; the portal shows "bientôt disponible" otherwise. */
  available: boolean;
}

const ALL: readonly EstablishmentProfile[] = ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'];

/** The catalogue of ENT services is code: adding a service is adding an entry here. */
export const SERVICE_CATALOGUE: readonly CatalogueEntry[] = [
  {
    key: 'logbook',
    name: { fr: 'Cahier de textes', en: 'Class logbook' },
    description: { fr: 'Contenu des séances et travail à faire', en: 'Lesson records and homework' },
    defaultProfiles: ALL,
    defaultStatus: 'mandatory',
    available: true,
  },
  {
    key: 'timetable',
    name: { fr: 'Emploi du temps', en: 'Timetable' },
    description: { fr: 'Emploi du temps de la semaine', en: 'Weekly timetable' },
    defaultProfiles: ALL,
    defaultStatus: 'mandatory',
    available: true,
  },
  {
    key: 'school_life',
    name: { fr: 'Vie scolaire', en: 'School life' },
    description: { fr: 'Absences, retards, justificatifs et appel', en: 'Attendance, lateness and roll call' },
    defaultProfiles: ALL,
    defaultStatus: 'mandatory',
    available: true,
  },
  {
    key: 'grades',
    name: { fr: 'Notes et évaluations', en: 'Grades' },
    description: { fr: 'Évaluations, relevés de notes', en: 'Assessments and reports' },
    defaultProfiles: ALL,
    defaultStatus: 'recommended',
    available: true,
  },
  {
    key: 'messaging',
    name: { fr: 'Messagerie', en: 'Messaging' },
    description: { fr: 'Messages entre élèves, familles et personnels', en: 'Messages between families and staff' },
    defaultProfiles: ALL,
    defaultStatus: 'mandatory',
    available: true,
  },
  {
    key: 'documents',
    name: { fr: 'Espace documentaire', en: 'Documents' },
    description: { fr: 'Documents partagés par classe et par groupe', en: 'Shared class and group documents' },
    defaultProfiles: ALL,
    defaultStatus: 'recommended',
    available: true,
  },
  {
    key: 'calendar',
    name: { fr: 'Agenda et réservations', en: 'Calendar and booking' },
    description: {
      fr: "Agenda de l'établissement, réservation de salles et matériel",
      en: 'School calendar, room booking',
    },
    defaultProfiles: ALL,
    defaultStatus: 'recommended',
    available: false,
  },
  {
    key: 'news',
    name: { fr: 'Actualités', en: 'News' },
    description: { fr: "Informations de l'établissement", en: 'School news' },
    defaultProfiles: ALL,
    defaultStatus: 'mandatory',
    available: false,
  },
  {
    key: 'public_site',
    name: { fr: 'Site public', en: 'Public website' },
    description: { fr: "Site internet public de l'établissement", en: "The school's public website" },
    defaultProfiles: ['principal', 'local_admin', 'staff'],
    defaultStatus: 'recommended',
    available: false,
  },
  {
    key: 'resources',
    name: { fr: 'Ressources numériques', en: 'Digital resources' },
    description: { fr: 'Manuels et banques de ressources', en: 'Textbooks and resource banks' },
    defaultProfiles: ['student', 'teacher', 'staff', 'principal', 'local_admin'],
    defaultStatus: 'recommended',
    available: false,
  },
  {
    key: 'helpdesk',
    name: { fr: 'Assistance', en: 'Helpdesk' },
    description: { fr: "Demandes d'aide et suivi", en: 'Help requests' },
    defaultProfiles: ALL,
    defaultStatus: 'recommended',
    available: false,
  },
  {
    key: 'rollout',
    name: { fr: 'Pilotage du déploiement', en: 'Rollout cockpit' },
    description: { fr: 'Plan, jalons, indicateurs et formation', en: 'Plan, milestones, indicators, training' },
    // Teachers and staff take part: steering group, needs, self-assessment, resource persons, training.
    defaultProfiles: ['teacher', 'staff', 'principal', 'local_admin'],
    defaultStatus: 'mandatory',
    available: true,
  },
];

const UsageRule = z.string().max(2000);
export const UsageRules = z.strictObject({
  whoEnters: UsageRule.default(''),
  whoUses: UsageRule.default(''),
  whoPublishes: UsageRule.default(''),
  forWhom: UsageRule.default(''),
});
export type UsageRules = z.infer<typeof UsageRules>;

/** A change of some rules: the rules not sent are kept (`UsageRules.partial()` would fill them with ''). */
export const UsageRulesPatch = z
  .strictObject({
    whoEnters: UsageRule,
    whoUses: UsageRule,
    whoPublishes: UsageRule,
    forWhom: UsageRule,
  })
  .partial();

export const EstablishmentService = z.object({
  key: ServiceKey,
  name: z.string(),
  description: z.string(),
  status: ServiceStatus,
  profiles: z.array(EstablishmentProfileSchema),
  opensOn: IsoDate.nullable(),
  generalizesOn: IsoDate.nullable(),
  usageRules: UsageRules,
  available: z.boolean(),
  updatedAt: z.string().nullable(),
});
export type EstablishmentService = z.infer<typeof EstablishmentService>;

export const EstablishmentServicesResponse = z.object({ services: z.array(EstablishmentService) });

export const UpdateServiceBody = z
  .strictObject({
    status: ServiceStatus.optional(),
    profiles: z.array(EstablishmentProfileSchema).max(6).optional(),
    opensOn: IsoDate.nullable().optional(),
    generalizesOn: IsoDate.nullable().optional(),
    usageRules: UsageRulesPatch.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field' });
export type UpdateServiceBody = z.infer<typeof UpdateServiceBody>;

export const ServiceKeyParams = z.strictObject({ id: z.uuid(), key: ServiceKey });

export const PortalQuery = z.strictObject({ establishment: z.uuid().optional() });
export const PortalService = z.object({
  key: ServiceKey,
  name: z.string(),
  description: z.string(),
  status: z.enum(['mandatory', 'recommended']),
  available: z.boolean(),
  generalized: z.boolean(),
});
export const PortalResponse = z.object({
  establishment: z.object({ id: z.uuid(), uai: z.string(), name: z.string() }),
  profiles: z.array(EstablishmentProfileSchema),
  services: z.array(PortalService),
});
export type PortalResponse = z.infer<typeof PortalResponse>;
export const PortalServiceParams = z.strictObject({ key: ServiceKey });

export const HomeQuery = z.strictObject({ establishment: z.uuid().optional() });
/**
 * The first screen in one request: the portal, and the home-page widget of each module open to the caller
 * there (keyed by module: `timeline`, `logbook`…; a widget that failed to load is `null`).
 */
export const HomeResponse = z.object({
  portal: PortalResponse,
  widgets: z.record(z.string(), z.unknown()),
});
export type HomeResponse = z.infer<typeof HomeResponse>;

export const servicesApi = defineApi({
  module: 'services',
  permissions: ['portal.read', 'services.manage'],
  errors: ['INVALID_DATES'],
  endpoints: {
    'GET /api/portal': {
      summary: "The services open to the caller's profiles in an establishment (default: their first, by name)",
      access: { permission: 'portal.read' },
      query: PortalQuery,
      response: PortalResponse,
      errors: ['CHARTER_NOT_ACCEPTED'],
    },
    'GET /api/home': {
      summary: 'The first screen in one request: the portal and the widgets of the services open to the caller',
      access: { permission: 'portal.read' },
      query: HomeQuery,
      response: HomeResponse,
      errors: ['CHARTER_NOT_ACCEPTED'],
    },
    'GET /api/portal/services/:key': {
      summary: 'One service as the caller sees it; 403 SERVICE_CLOSED when it is not open to them',
      access: { permission: 'portal.read' },
      params: PortalServiceParams,
      query: PortalQuery,
      response: EstablishmentService,
      errors: ['SERVICE_CLOSED', 'CHARTER_NOT_ACCEPTED'],
    },
    'GET /api/establishments/:id/services': {
      summary: "Every service's opening settings in the establishment",
      access: { permission: 'services.manage' },
      params: IdParams,
      response: EstablishmentServicesResponse,
      errors: [],
    },
    'PATCH /api/establishments/:id/services/:key': {
      summary: 'Change status, profiles, dates or usage rules of a service (audited)',
      access: { permission: 'services.manage' },
      params: ServiceKeyParams,
      body: UpdateServiceBody,
      response: EstablishmentService,
      errors: ['INVALID_DATES'],
    },
  },
});
