import { z } from 'zod';
import { defineApi } from './api.ts';
import { EstablishmentProfile, IdParams, IsoDate } from './common.ts';
import { ServiceKey, ServiceStatus } from './services.ts';

/*
 * The rollout cockpit (pilotage du déploiement): the principal's first screen (a checklist computed from the
 * data), taking stock (tools in use, risks, axes), the plan per service (steps, objectives tied to indicators),
 * the steering group, the needs backlog, the indicators computed from the platform's data only, the académie
 * view, and the people who carry the change (self-assessment, resource persons and their slots, training,
 * satisfaction pulse).
 */

/** Aggregates of fewer people than this are never shown (self-assessment per discipline): nobody identifiable. */
export const ROLLOUT_MIN_GROUP = 5;
/** A satisfaction pulse shows its average and comments from this many answers on (anonymity). */
export const PULSE_MIN_ANSWERS = 5;

export const STEP_STATES = ['todo', 'in_progress', 'done', 'cancelled'] as const;
export const StepState = z.enum(STEP_STATES);
export type StepState = z.infer<typeof StepState>;

/** The digital-skill domains of the self-assessment (after the CRCN / Pix framework). */
export const SKILL_DOMAINS = ['information', 'communication', 'creation', 'protection', 'environment'] as const;
export const SkillDomain = z.enum(SKILL_DOMAINS);
export type SkillDomain = z.infer<typeof SkillDomain>;

const Title = z.string().trim().min(3).max(200);
const LongText = z.string().trim().max(4000);
const Instant = z.iso.datetime({ offset: true });
/** A discipline: a 6-character BCN subject code. */
const SubjectCode = z.string().regex(/^[0-9A-Z]{6}$/);

export const RolloutEstablishmentQuery = z.strictObject({ establishment: z.uuid() });
export const EstablishmentBody = z.strictObject({ establishmentId: z.uuid() });

export const RolloutPerson = z.object({ id: z.uuid(), displayName: z.string() });
export type RolloutPerson = z.infer<typeof RolloutPerson>;

// ---- The contract outside checks rely on -------------------------------------------------------------------

export const ActivationFigure = z.object({
  profile: EstablishmentProfile,
  activated: z.number().int(),
  total: z.number().int(),
});
export const CharterFigure = z.object({
  profile: EstablishmentProfile,
  accepted: z.number().int(),
  total: z.number().int(),
});
export const ActiveUsers = z.object({ day: z.number().int(), week: z.number().int(), month: z.number().int() });

export const RolloutIndicators = z.object({
  establishmentId: z.uuid(),
  /** When the service activity was rolled up (never more than an hour before the request). */
  asOf: z.string(),
  /** At the moment of the request, from the directory and the accounts. */
  activation: z.array(ActivationFigure),
  /** At the moment of the request, the charter in force. */
  charter: z.array(CharterFigure),
  /** Distinct users today (Paris), over the last 7 and the last 30 days, from the usage events' roll-up. */
  services: z.array(
    z.object({
      key: ServiceKey,
      activeUsers: ActiveUsers,
      byProfile: z.array(z.object({ profile: z.string(), activeUsers: ActiveUsers })),
    }),
  ),
});
export type RolloutIndicators = z.infer<typeof RolloutIndicators>;

export const Step = z.object({
  id: z.uuid(),
  title: z.string(),
  ownerId: z.uuid(),
  ownerName: z.string(),
  dueDate: IsoDate,
  state: StepState,
  doneAt: z.string().nullable(),
  /** Past its due date and neither done nor cancelled. */
  late: z.boolean(),
});
export type Step = z.infer<typeof Step>;

export const Trend = z.enum(['up', 'down', 'flat']);
export const Objective = z.object({
  id: z.uuid(),
  indicator: z.string(),
  label: z.string(),
  unit: z.enum(['rate', 'count']),
  target: z.number(),
  /** The indicator now (over the school year so far); null when it cannot be computed. */
  current: z.number().nullable(),
  /** The same a week earlier, and which way it went since. */
  previous: z.number().nullable(),
  trend: Trend.nullable(),
  reached: z.boolean(),
  dueDate: IsoDate,
  establishmentAxisId: z.uuid().nullable(),
  academyAxisId: z.uuid().nullable(),
});
export type Objective = z.infer<typeof Objective>;

export const ToolDecision = z.enum(['undecided', 'integrate', 'move']);
export const PlanService = z.object({
  key: ServiceKey,
  name: z.string(),
  status: ServiceStatus,
  openingDate: IsoDate.optional(),
  generalisationDate: IsoDate.optional(),
  steps: z.array(Step),
  objectives: z.array(Objective),
  /** Tools already in use that this service replaces or integrates, with the decision. */
  tools: z.array(
    z.object({ id: z.uuid(), name: z.string(), decision: ToolDecision, decisionDate: IsoDate.nullable() }),
  ),
});
export type PlanService = z.infer<typeof PlanService>;

export const IndicatorChoice = z.object({
  key: z.string(),
  label: z.string(),
  unit: z.enum(['rate', 'count']),
  /** The module that computes it (`rollout` for the cockpit's own, including the per-service activity shares). */
  module: z.string(),
});

export const Axis = z.object({ id: z.uuid(), scope: z.enum(['establishment', 'academy']), label: z.string() });
export type Axis = z.infer<typeof Axis>;

export const RolloutPlan = z.object({
  services: z.array(PlanService),
  lateSteps: z.array(Step.extend({ service: ServiceKey })),
  indicators: z.array(IndicatorChoice),
  axes: z.array(Axis),
  can: z.object({ edit: z.boolean() }),
});
export type RolloutPlan = z.infer<typeof RolloutPlan>;

export const CreateStepBody = z.strictObject({
  establishmentId: z.uuid(),
  service: ServiceKey,
  title: Title,
  ownerId: z.uuid(),
  dueDate: IsoDate,
  state: StepState.optional(),
});
export type CreateStepBody = z.infer<typeof CreateStepBody>;

export const UpdateStepBody = z
  .strictObject({ title: Title, ownerId: z.uuid(), dueDate: IsoDate, state: StepState })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field' });
export type UpdateStepBody = z.infer<typeof UpdateStepBody>;

export const CreateObjectiveBody = z.strictObject({
  establishmentId: z.uuid(),
  service: ServiceKey,
  indicator: z.string().min(3).max(120),
  /** In the indicator's unit: a share between 0 and 1 for a rate (0.8 = 80 %), a number for a count. */
  target: z.number().finite().min(0).max(1_000_000),
  dueDate: IsoDate,
  establishmentAxisId: z.uuid().nullable().optional(),
  academyAxisId: z.uuid().nullable().optional(),
});
export type CreateObjectiveBody = z.infer<typeof CreateObjectiveBody>;

export const UpdateObjectiveBody = z
  .strictObject({
    target: z.number().finite().min(0).max(1_000_000),
    dueDate: IsoDate,
    establishmentAxisId: z.uuid().nullable(),
    academyAxisId: z.uuid().nullable(),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field' });

export const Created = z.object({ id: z.uuid() });

// ---- The principal's first screen ---------------------------------------------------------------------------

export const CHECKLIST_KEYS = ['directory', 'data_quality', 'login_sheets', 'charter', 'services', 'families'] as const;
export const ChecklistItem = z.object({
  key: z.enum(CHECKLIST_KEYS),
  state: z.enum(['done', 'partial', 'todo']),
  /** The date that matters for the item (last import, last check, charter publication, last information…). */
  date: z.string().nullable(),
  count: z.number().int().nullable(),
  total: z.number().int().nullable(),
  /** What is left, each with a stable code the web words (`label`: a class, a service…). */
  left: z.array(
    z.object({
      code: z.string(),
      label: z.string().optional(),
      profile: z.string().optional(),
      count: z.number().int().optional(),
    }),
  ),
  /** Where it is done (a path of the web app). */
  link: z.string(),
});
export type ChecklistItem = z.infer<typeof ChecklistItem>;

export const ClassAdoption = z.object({
  classId: z.uuid(),
  class: z.string(),
  students: z.object({ activated: z.number().int(), accepted: z.number().int(), total: z.number().int() }),
  guardians: z.object({ activated: z.number().int(), accepted: z.number().int(), total: z.number().int() }),
});
export type ClassAdoption = z.infer<typeof ClassAdoption>;

export const HelpContact = z.object({
  academy: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  url: z.string().nullable(),
  hours: z.string().nullable(),
});
export type HelpContact = z.infer<typeof HelpContact>;

export const RolloutOverview = z.object({
  checklist: z.array(ChecklistItem),
  activation: z.array(ActivationFigure),
  charter: z.array(CharterFigure),
  classes: z.array(ClassAdoption),
  lastImport: z.object({ at: z.string().nullable(), status: z.string(), anomalies: z.number().int() }).nullable(),
  openAnomalies: z.number().int(),
  help: HelpContact.nullable(),
  lateSteps: z.number().int(),
});
export type RolloutOverview = z.infer<typeof RolloutOverview>;

export const RolloutMe = z.object({
  /** Holds the direction's rights (team, information to families). */
  direction: z.boolean(),
  /** Direction or member of the steering group: plan, indicators, backlog answers, stock. */
  steering: z.boolean(),
  resourcePersonIds: z.array(z.uuid()),
});
export type RolloutMe = z.infer<typeof RolloutMe>;

export const AnnouncementBody = z.strictObject({
  establishmentId: z.uuid(),
  text: z.string().trim().min(10).max(1000),
});
export const AnnouncementCreated = z.object({ id: z.uuid(), recipients: z.number().int() });

// ---- Indicators: the dashboard -----------------------------------------------------------------------------

export const DashboardQuery = z.strictObject({
  establishment: z.uuid(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  profile: EstablishmentProfile.optional(),
});
export type DashboardQuery = z.infer<typeof DashboardQuery>;

export const ActivityPoint = z.object({
  day: IsoDate,
  day_users: z.number().int(),
  week_users: z.number().int(),
  month_users: z.number().int(),
});

export const RolloutDashboard = z.object({
  asOf: z.string(),
  from: IsoDate,
  to: IsoDate,
  profile: EstablishmentProfile.nullable(),
  /** Members of the profile (or everyone) now: the denominator of the activity shares. */
  members: z.number().int(),
  activation: z.array(ActivationFigure),
  charter: z.array(CharterFigure),
  /** Activated accounts over time, one point per week (and the last day), per profile. */
  activationSeries: z.array(
    z.object({ day: IsoDate, profile: EstablishmentProfile, activated: z.number().int(), total: z.number().int() }),
  ),
  classes: z.array(ClassAdoption),
  /** Each service's montée en charge: daily points since its opening (or the period's start). */
  services: z.array(
    z.object({
      key: z.string(),
      status: ServiceStatus.nullable(),
      openingDate: IsoDate.nullable(),
      now: ActiveUsers,
      series: z.array(ActivityPoint),
    }),
  ),
  /** Every indicator the modules register, over the period. */
  indicators: z.array(
    z.object({
      key: z.string(),
      module: z.string(),
      service: z.string().nullable(),
      label: z.string(),
      unit: z.enum(['rate', 'count']),
      value: z.number().nullable(),
      numerator: z.number().nullable(),
      denominator: z.number().nullable(),
    }),
  ),
  /** The most active teachers per discipline over the period: candidates for resource persons. */
  pioneers: z.array(
    z.object({
      subjectCode: z.string(),
      subject: z.string(),
      people: z.array(RolloutPerson.extend({ activeDays: z.number().int(), events: z.number().int() })),
    }),
  ),
});
export type RolloutDashboard = z.infer<typeof RolloutDashboard>;

export const AsOf = z.object({ asOf: z.string() });

// ---- Taking stock ------------------------------------------------------------------------------------------

export const TOOL_CATEGORIES = [
  'school_life',
  'logbook',
  'messaging',
  'website',
  'documents',
  'grades',
  'other',
] as const;
export const Tool = z.object({
  id: z.uuid(),
  name: z.string(),
  category: z.enum(TOOL_CATEGORIES),
  service: ServiceKey.nullable(),
  users: z.number().int().nullable(),
  frequency: z.enum(['daily', 'weekly', 'monthly', 'rare']),
  teachingValue: z.enum(['low', 'medium', 'high']),
  decision: ToolDecision,
  decisionDate: IsoDate.nullable(),
  notes: z.string(),
});
export type Tool = z.infer<typeof Tool>;
const ToolFields = {
  name: Title,
  category: z.enum(TOOL_CATEGORIES),
  service: ServiceKey.nullable(),
  users: z.number().int().min(0).max(100_000).nullable(),
  frequency: z.enum(['daily', 'weekly', 'monthly', 'rare']),
  teachingValue: z.enum(['low', 'medium', 'high']),
  decision: ToolDecision,
  decisionDate: IsoDate.nullable(),
  notes: LongText,
};
export const CreateToolBody = z.strictObject({
  establishmentId: z.uuid(),
  ...ToolFields,
  service: ToolFields.service.default(null),
  users: ToolFields.users.default(null),
  decision: ToolDecision.default('undecided'),
  decisionDate: ToolFields.decisionDate.default(null),
  notes: LongText.default(''),
});
export const UpdateToolBody = z
  .strictObject(ToolFields)
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field' });

const Level = z.number().int().min(1).max(4);
export const Risk = z.object({
  id: z.uuid(),
  title: z.string(),
  likelihood: Level,
  impact: Level,
  owner: RolloutPerson.nullable(),
  mitigation: z.string(),
  status: z.enum(['open', 'closed']),
  reviewedAt: z.string().nullable(),
});
export type Risk = z.infer<typeof Risk>;
export const CreateRiskBody = z.strictObject({
  establishmentId: z.uuid(),
  title: Title,
  likelihood: Level,
  impact: Level,
  ownerId: z.uuid().nullable().default(null),
  mitigation: LongText.default(''),
});
export const UpdateRiskBody = z
  .strictObject({
    title: Title,
    likelihood: Level,
    impact: Level,
    ownerId: z.uuid().nullable(),
    mitigation: LongText,
    status: z.enum(['open', 'closed']),
    /** Mark the risk reviewed now (by the steering group). */
    reviewed: z.literal(true),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field' });

export const CreateAxisBody = z.strictObject({ establishmentId: z.uuid(), label: Title });
export const CreateAcademyAxisBody = z.strictObject({ label: Title });

export const RolloutStock = z.object({
  tools: z.array(Tool),
  risks: z.array(Risk),
  axes: z.array(Axis),
  can: z.object({ edit: z.boolean() }),
});
export type RolloutStock = z.infer<typeof RolloutStock>;

// ---- Steering group ----------------------------------------------------------------------------------------

export const StaffPerson = RolloutPerson.extend({
  profiles: z.array(EstablishmentProfile),
  subjects: z.array(z.string()),
});
export type StaffPerson = z.infer<typeof StaffPerson>;

export const Subject = z.object({ code: z.string(), label: z.string() });

export const RolloutTeam = z.object({
  pilot: RolloutPerson.nullable(),
  members: z.array(RolloutPerson),
  /** One line per discipline taught in the establishment, with its representative in the TICE cell (or none). */
  tice: z.array(z.object({ subjectCode: z.string(), subject: z.string(), person: RolloutPerson.nullable() })),
  can: z.object({ edit: z.boolean() }),
});
export type RolloutTeam = z.infer<typeof RolloutTeam>;

export const UpdateTeamBody = z.strictObject({
  establishmentId: z.uuid(),
  pilotId: z.uuid().nullable(),
  memberIds: z.array(z.uuid()).max(30),
  tice: z.array(z.strictObject({ subjectCode: SubjectCode, userId: z.uuid() })).max(60),
});
export type UpdateTeamBody = z.infer<typeof UpdateTeamBody>;

export const StaffList = z.object({ people: z.array(StaffPerson), subjects: z.array(Subject) });

// ---- Needs backlog -----------------------------------------------------------------------------------------

export const NEED_STATUSES = ['open', 'in_progress', 'done', 'declined'] as const;
export const NeedStatus = z.enum(NEED_STATUSES);
export const Need = z.object({
  id: z.uuid(),
  title: z.string(),
  body: z.string(),
  subjectCode: z.string().nullable(),
  subject: z.string().nullable(),
  service: ServiceKey.nullable(),
  status: NeedStatus,
  answer: z.string().nullable(),
  answeredAt: z.string().nullable(),
  /** Shown to the steering group only. */
  author: RolloutPerson.nullable(),
  mine: z.boolean(),
  createdAt: z.string(),
});
export type Need = z.infer<typeof Need>;
export const NeedList = z.object({
  items: z.array(Need),
  bySubject: z.array(
    z.object({
      subjectCode: z.string().nullable(),
      subject: z.string().nullable(),
      total: z.number().int(),
      open: z.number().int(),
    }),
  ),
  /** The disciplines taught in the establishment, to post a need for one. */
  subjects: z.array(Subject),
  can: z.object({ answer: z.boolean() }),
});
export type NeedList = z.infer<typeof NeedList>;
export const CreateNeedBody = z.strictObject({
  establishmentId: z.uuid(),
  title: Title,
  body: LongText.default(''),
  subjectCode: SubjectCode.nullable().default(null),
  service: ServiceKey.nullable().default(null),
});
export const UpdateNeedBody = z
  .strictObject({ status: NeedStatus, answer: z.string().trim().min(1).max(4000).nullable() })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field' });

// ---- People: self-assessment -------------------------------------------------------------------------------

export const SkillLevels = z.strictObject({
  information: z.number().int().min(1).max(5),
  communication: z.number().int().min(1).max(5),
  creation: z.number().int().min(1).max(5),
  protection: z.number().int().min(1).max(5),
  environment: z.number().int().min(1).max(5),
});
export type SkillLevels = z.infer<typeof SkillLevels>;
export const MySkills = z.object({ levels: SkillLevels.nullable(), assessedAt: z.string().nullable() });
export const SaveSkillsBody = z.strictObject({ establishmentId: z.uuid(), levels: SkillLevels });

const DomainAggregate = z.object({ mean: z.number(), atMost2: z.number().int() });
export const SkillGroup = z.object({
  /** Null when the group has fewer than the minimum: neither its size nor its figures are shown. */
  count: z.number().int().nullable(),
  domains: z.record(SkillDomain, DomainAggregate).nullable(),
});
export const SkillsAggregate = z.object({
  minGroup: z.number().int(),
  overall: SkillGroup,
  bySubject: z.array(SkillGroup.extend({ subjectCode: z.string(), subject: z.string() })),
});
export type SkillsAggregate = z.infer<typeof SkillsAggregate>;

// ---- People: resource persons and their slots --------------------------------------------------------------

export const SlotMode = z.enum(['onsite', 'remote']);
export const RolloutSlot = z.object({
  id: z.uuid(),
  startsAt: z.string(),
  endsAt: z.string(),
  mode: SlotMode,
  room: z.string().nullable(),
  booked: z.boolean(),
  bookedByMe: z.boolean(),
  /** Who booked and why: for the resource person and the direction only. */
  booker: RolloutPerson.nullable(),
  topic: z.string().nullable(),
});
export type RolloutSlot = z.infer<typeof RolloutSlot>;
export const ResourcePerson = z.object({
  id: z.uuid(),
  person: RolloutPerson,
  service: ServiceKey.nullable(),
  subjectCode: z.string().nullable(),
  subject: z.string().nullable(),
  note: z.string(),
  mine: z.boolean(),
  /** Upcoming slots (and the past ones of the last 30 days for the person and the direction). */
  slots: z.array(RolloutSlot),
  /** The direction sees each one's load: booked slots and hours over the last and next 30 days. */
  load: z.object({ booked: z.number().int(), hours: z.number(), free: z.number().int() }).nullable(),
});
export type ResourcePerson = z.infer<typeof ResourcePerson>;
export const ResourcePersonList = z.object({ items: z.array(ResourcePerson), can: z.object({ manage: z.boolean() }) });
export const CreateResourcePersonBody = z.strictObject({
  establishmentId: z.uuid(),
  userId: z.uuid(),
  service: ServiceKey.nullable().default(null),
  subjectCode: SubjectCode.nullable().default(null),
  note: z.string().trim().max(500).default(''),
});
export const CreateSlotBody = z.strictObject({
  resourcePersonId: z.uuid(),
  startsAt: Instant,
  endsAt: Instant,
  mode: SlotMode,
  room: z.string().trim().min(1).max(100).nullable().default(null),
});
export const BookSlotBody = z.strictObject({ topic: z.string().trim().max(300).default('') });

// ---- People: training sessions -----------------------------------------------------------------------------

export const Training = z.object({
  id: z.uuid(),
  title: z.string(),
  audience: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  place: z.string(),
  capacity: z.number().int(),
  registered: z.number().int(),
  registeredMe: z.boolean(),
  step: z.object({ id: z.uuid(), title: z.string(), service: ServiceKey }).nullable(),
  /** The list of registered people and their attendance: for the steering group only. */
  attendees: z.array(RolloutPerson.extend({ present: z.boolean().nullable() })).nullable(),
});
export type Training = z.infer<typeof Training>;
export const TrainingList = z.object({ items: z.array(Training), can: z.object({ manage: z.boolean() }) });
const TrainingFields = {
  title: Title,
  audience: z.string().trim().min(2).max(200),
  startsAt: Instant,
  endsAt: Instant,
  place: z.string().trim().min(2).max(200),
  capacity: z.number().int().min(1).max(1000),
  stepId: z.uuid().nullable(),
};
export const CreateTrainingBody = z.strictObject({
  establishmentId: z.uuid(),
  ...TrainingFields,
  stepId: TrainingFields.stepId.default(null),
});
export const UpdateTrainingBody = z
  .strictObject(TrainingFields)
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'at least one field' });
export const AttendanceBody = z.strictObject({ present: z.array(z.uuid()).max(1000) });

// ---- People: satisfaction pulse ----------------------------------------------------------------------------

export const PulseBody = z.strictObject({
  establishmentId: z.uuid(),
  service: ServiceKey,
  score: z.number().int().min(1).max(5),
  comment: z.string().trim().max(1000).default(''),
});
export const MyPulse = z.object({ period: z.string(), answered: z.array(ServiceKey), services: z.array(ServiceKey) });
export const PulseResults = z.object({
  minAnswers: z.number().int(),
  services: z.array(
    z.object({
      key: ServiceKey,
      period: z.string(),
      answers: z.number().int(),
      /** Null under the minimum number of answers (anonymity). */
      mean: z.number().nullable(),
      distribution: z.array(z.number().int()).nullable(),
      comments: z.array(z.string()).nullable(),
    }),
  ),
});
export type PulseResults = z.infer<typeof PulseResults>;

// ---- The académie view -------------------------------------------------------------------------------------

export const AcademyEstablishment = z.object({
  id: z.uuid(),
  uai: z.string(),
  name: z.string(),
  rank: z.number().int(),
  activation: z.number(),
  guardians: z.number(),
  teachers: z.number(),
  charter: z.number(),
  /** Share of members active in some service over the last 30 days. */
  active: z.number(),
  plan: z.object({
    steps: z.number().int(),
    done: z.number().int(),
    late: z.number().int(),
    objectives: z.number().int(),
    reached: z.number().int(),
  }),
});
export type AcademyEstablishment = z.infer<typeof AcademyEstablishment>;
export const AcademyView = z.object({
  asOf: z.string(),
  academies: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      contact: HelpContact.omit({ academy: true }).nullable(),
      axes: z.array(Axis),
      establishments: z.array(AcademyEstablishment),
    }),
  ),
});
export type AcademyView = z.infer<typeof AcademyView>;
export const ContactBody = z.strictObject({
  name: z.string().trim().min(2).max(200),
  email: z.email().max(200).nullable().default(null),
  phone: z
    .string()
    .trim()
    .regex(/^[0-9 +().-]{6,30}$/)
    .nullable()
    .default(null),
  url: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .nullable()
    .default(null),
  hours: z.string().trim().max(200).nullable().default(null),
});

const obj = 'object' as const;
const inQuery = { query: 'establishment' } as const;
const inBody = { body: 'establishmentId' } as const;
const use = { permission: 'rollout.use' } as const;

export const rolloutApi = defineApi({
  module: 'rollout',
  permissions: ['rollout.use', 'rollout.steer', 'rollout.academy'],
  errors: [
    'NOT_STEERING',
    'UNKNOWN_INDICATOR',
    'TARGET_OUT_OF_RANGE',
    'NOT_STAFF_MEMBER',
    'NOT_TEACHER_OF_SUBJECT',
    'DUPLICATE_SUBJECT',
    'INVALID_PERIOD',
    'PERIOD_TOO_LONG',
    'SLOT_IN_PAST',
    'SLOT_TOO_LONG',
    'SLOT_OVERLAP',
    'SLOT_TAKEN',
    'OWN_SLOT',
    'ROOM_REQUIRED',
    'TRAINING_FULL',
    'TRAINING_PAST',
    'NOT_REGISTERED',
    'PULSE_ALREADY_ANSWERED',
    'ALREADY_RESOURCE_PERSON',
    'RESOURCE_PERSON_SCOPE',
    'UNKNOWN_AXIS',
    'STEP_IN_USE',
  ],
  endpoints: {
    // The contract of issue 15.
    'GET /api/rollout/indicators': {
      summary: 'Activation and charter per profile now, active users per service (roll-up at most an hour old)',
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: RolloutIndicators,
      errors: ['NOT_STEERING'],
    },
    'GET /api/rollout/plan': {
      summary: 'The plan: per service its opening, steps and objectives (with their current value); late steps',
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: RolloutPlan,
      errors: ['NOT_STEERING'],
    },
    'POST /api/rollout/steps': {
      summary: 'Add a step to the plan of a service (audited)',
      access: use,
      establishment: inBody,
      body: CreateStepBody,
      status: 201,
      response: Created,
      errors: ['NOT_STEERING', 'NOT_STAFF_MEMBER'],
    },
    'POST /api/rollout/objectives': {
      summary: 'Add an objective tied to an indicator, with its target and due date (audited)',
      access: use,
      establishment: inBody,
      body: CreateObjectiveBody,
      status: 201,
      response: Created,
      errors: ['NOT_STEERING', 'UNKNOWN_INDICATOR', 'TARGET_OUT_OF_RANGE', 'UNKNOWN_AXIS'],
    },
    // Plan changes.
    'PATCH /api/rollout/steps/:id': {
      summary: 'Change a step: title, owner, due date, state (audited)',
      access: use,
      establishment: obj,
      params: IdParams,
      body: UpdateStepBody,
      response: Step,
      errors: ['NOT_STEERING', 'NOT_STAFF_MEMBER'],
    },
    'DELETE /api/rollout/steps/:id': {
      summary: 'Remove a step (audited); a step a training session is linked to stays',
      access: use,
      establishment: obj,
      params: IdParams,
      status: 204,
      errors: ['NOT_STEERING', 'STEP_IN_USE'],
    },
    'PATCH /api/rollout/objectives/:id': {
      summary: 'Change an objective: target, due date, axes (audited)',
      access: use,
      establishment: obj,
      params: IdParams,
      body: UpdateObjectiveBody,
      response: Objective,
      errors: ['NOT_STEERING', 'TARGET_OUT_OF_RANGE', 'UNKNOWN_AXIS'],
    },
    'DELETE /api/rollout/objectives/:id': {
      summary: 'Remove an objective (audited)',
      access: use,
      establishment: obj,
      params: IdParams,
      status: 204,
      errors: ['NOT_STEERING'],
    },
    // The first screen.
    'GET /api/rollout/me': {
      summary: "The caller's part in the rollout of an establishment (direction, steering group, resource person)",
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: RolloutMe,
      errors: [],
    },
    'GET /api/rollout/overview': {
      summary: "The principal's first screen: the checklist computed from the data, rates per profile and class, help",
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: RolloutOverview,
      errors: ['NOT_STEERING'],
    },
    'POST /api/rollout/announcements': {
      summary: 'Tell the families: a notice on every guardian’s timeline (the direction; audited)',
      access: { permission: 'rollout.steer' },
      establishment: inBody,
      body: AnnouncementBody,
      status: 201,
      response: AnnouncementCreated,
      errors: [],
    },
    // Indicators.
    'GET /api/rollout/dashboard': {
      summary:
        'Indicators over a period, for a profile: activation, charter, montée en charge, module indicators, pioneers',
      access: use,
      establishment: inQuery,
      query: DashboardQuery,
      response: RolloutDashboard,
      errors: ['NOT_STEERING', 'INVALID_PERIOD', 'PERIOD_TOO_LONG'],
    },
    'GET /api/rollout/dashboard/export': {
      summary: 'The dashboard as CSV (semicolon-separated, UTF-8 with BOM)',
      access: use,
      establishment: inQuery,
      query: DashboardQuery,
      binary: 'text/csv',
      errors: ['NOT_STEERING', 'INVALID_PERIOD', 'PERIOD_TOO_LONG'],
    },
    'POST /api/rollout/indicators/refresh': {
      summary: "Roll up today's usage of the establishment now",
      access: use,
      establishment: inBody,
      body: EstablishmentBody,
      response: AsOf,
      errors: ['NOT_STEERING'],
    },
    // Taking stock.
    'GET /api/rollout/stock': {
      summary: 'Tools already in use, risk register, axes of the projects',
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: RolloutStock,
      errors: ['NOT_STEERING'],
    },
    'POST /api/rollout/tools': {
      summary: 'Add a tool in use, with its usage, teaching value and decision (audited)',
      access: use,
      establishment: inBody,
      body: CreateToolBody,
      status: 201,
      response: Created,
      errors: ['NOT_STEERING'],
    },
    'PATCH /api/rollout/tools/:id': {
      summary: 'Change a tool: usage, value, decision and its date (audited)',
      access: use,
      establishment: obj,
      params: IdParams,
      body: UpdateToolBody,
      response: Tool,
      errors: ['NOT_STEERING'],
    },
    'DELETE /api/rollout/tools/:id': {
      summary: 'Remove a tool from the inventory (audited)',
      access: use,
      establishment: obj,
      params: IdParams,
      status: 204,
      errors: ['NOT_STEERING'],
    },
    'POST /api/rollout/risks': {
      summary: 'Add a risk: likelihood, impact, owner, mitigation (audited)',
      access: use,
      establishment: inBody,
      body: CreateRiskBody,
      status: 201,
      response: Created,
      errors: ['NOT_STEERING', 'NOT_STAFF_MEMBER'],
    },
    'PATCH /api/rollout/risks/:id': {
      summary: 'Review or change a risk (audited)',
      access: use,
      establishment: obj,
      params: IdParams,
      body: UpdateRiskBody,
      response: Risk,
      errors: ['NOT_STEERING', 'NOT_STAFF_MEMBER'],
    },
    'DELETE /api/rollout/risks/:id': {
      summary: 'Remove a risk (audited)',
      access: use,
      establishment: obj,
      params: IdParams,
      status: 204,
      errors: ['NOT_STEERING'],
    },
    'POST /api/rollout/axes': {
      summary: "Add an axis of the establishment's project (audited)",
      access: use,
      establishment: inBody,
      body: CreateAxisBody,
      status: 201,
      response: Created,
      errors: ['NOT_STEERING'],
    },
    'DELETE /api/rollout/axes/:id': {
      summary: "Remove an axis (the establishment's by its steering group, the académie's by a platform admin)",
      access: use,
      establishment: obj,
      params: IdParams,
      status: 204,
      errors: ['NOT_STEERING'],
    },
    // Steering group.
    'GET /api/rollout/team': {
      summary: 'The steering group: pilot, members, TICE cell (one representative per discipline)',
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: RolloutTeam,
      errors: ['NOT_STEERING'],
    },
    'PUT /api/rollout/team': {
      summary: 'Set the steering group (the direction; audited)',
      access: { permission: 'rollout.steer' },
      establishment: inBody,
      body: UpdateTeamBody,
      response: RolloutTeam,
      errors: ['NOT_STAFF_MEMBER', 'NOT_TEACHER_OF_SUBJECT', 'DUPLICATE_SUBJECT'],
    },
    'GET /api/rollout/staff': {
      summary: 'The staff of the establishment with their disciplines, to choose owners and representatives',
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: StaffList,
      errors: ['NOT_STEERING'],
    },
    // Needs backlog.
    'GET /api/rollout/needs': {
      summary: 'The needs backlog with counts per discipline (authors shown to the steering group only)',
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: NeedList,
      errors: [],
    },
    'POST /api/rollout/needs': {
      summary: 'Post a need or an adaptation for a discipline and a service',
      access: use,
      establishment: inBody,
      body: CreateNeedBody,
      status: 201,
      response: Created,
      errors: [],
    },
    'PATCH /api/rollout/needs/:id': {
      summary: 'Set the status and the answer of a need (the steering group; audited)',
      access: use,
      establishment: obj,
      params: IdParams,
      body: UpdateNeedBody,
      response: Need,
      errors: ['NOT_STEERING'],
    },
    // Self-assessment.
    'GET /api/rollout/skills/me': {
      summary: "The caller's own self-assessment (private to them)",
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: MySkills,
      errors: [],
    },
    'PUT /api/rollout/skills/me': {
      summary: "Save the caller's self-assessment (levels 1 to 5 per domain)",
      access: use,
      establishment: inBody,
      body: SaveSkillsBody,
      response: MySkills,
      errors: [],
    },
    'GET /api/rollout/skills': {
      summary: 'Self-assessment aggregates per discipline, never for a group under the minimum size',
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: SkillsAggregate,
      errors: ['NOT_STEERING'],
    },
    // Resource persons and slots.
    'GET /api/rollout/resource-persons': {
      summary: 'Resource persons per service or discipline, their slots; their load for the direction',
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: ResourcePersonList,
      errors: [],
    },
    'POST /api/rollout/resource-persons': {
      summary: 'Name a resource person for a service or a discipline (the steering group; audited)',
      access: use,
      establishment: inBody,
      body: CreateResourcePersonBody,
      status: 201,
      response: Created,
      errors: ['NOT_STEERING', 'NOT_STAFF_MEMBER', 'ALREADY_RESOURCE_PERSON', 'RESOURCE_PERSON_SCOPE'],
    },
    'DELETE /api/rollout/resource-persons/:id': {
      summary: 'No longer a resource person: their future slots go, bookers are told (audited)',
      access: use,
      establishment: obj,
      params: IdParams,
      status: 204,
      errors: ['NOT_STEERING'],
    },
    'POST /api/rollout/slots': {
      summary: 'Offer an availability slot (the resource person or the steering group): on site with a room, or remote',
      access: use,
      establishment: obj,
      body: CreateSlotBody,
      status: 201,
      response: Created,
      errors: ['NOT_STEERING', 'SLOT_IN_PAST', 'SLOT_TOO_LONG', 'SLOT_OVERLAP', 'ROOM_REQUIRED', 'INVALID_PERIOD'],
    },
    'DELETE /api/rollout/slots/:id': {
      summary: 'Withdraw a slot (its booker is told)',
      access: use,
      establishment: obj,
      params: IdParams,
      status: 204,
      errors: ['NOT_STEERING'],
    },
    'POST /api/rollout/slots/:id/booking': {
      summary: 'Book a free slot of a resource person (they are told on their timeline)',
      access: use,
      establishment: obj,
      params: IdParams,
      body: BookSlotBody,
      response: RolloutSlot,
      errors: ['SLOT_TAKEN', 'SLOT_IN_PAST', 'OWN_SLOT'],
    },
    'DELETE /api/rollout/slots/:id/booking': {
      summary: 'Cancel a booking (the booker, the resource person or the steering group)',
      access: use,
      establishment: obj,
      params: IdParams,
      status: 204,
      errors: ['NOT_REGISTERED'],
    },
    // Training sessions.
    'GET /api/rollout/trainings': {
      summary: 'Training sessions: audience, date, place, capacity, registrations (attendance for the steering group)',
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: TrainingList,
      errors: [],
    },
    'POST /api/rollout/trainings': {
      summary: 'Plan a training session, possibly for a step of the plan (the steering group; audited)',
      access: use,
      establishment: inBody,
      body: CreateTrainingBody,
      status: 201,
      response: Created,
      errors: ['NOT_STEERING', 'INVALID_PERIOD'],
    },
    'PATCH /api/rollout/trainings/:id': {
      summary: 'Change a training session (audited; registered people are told of a new date or place)',
      access: use,
      establishment: obj,
      params: IdParams,
      body: UpdateTrainingBody,
      response: Training,
      errors: ['NOT_STEERING', 'INVALID_PERIOD', 'TRAINING_FULL'],
    },
    'DELETE /api/rollout/trainings/:id': {
      summary: 'Cancel a training session (registered people are told; audited)',
      access: use,
      establishment: obj,
      params: IdParams,
      status: 204,
      errors: ['NOT_STEERING'],
    },
    'POST /api/rollout/trainings/:id/registration': {
      summary: 'Register for a training session',
      access: use,
      establishment: obj,
      params: IdParams,
      response: Training,
      errors: ['TRAINING_FULL', 'TRAINING_PAST'],
    },
    'DELETE /api/rollout/trainings/:id/registration': {
      summary: 'Withdraw from a training session',
      access: use,
      establishment: obj,
      params: IdParams,
      status: 204,
      errors: ['NOT_REGISTERED', 'TRAINING_PAST'],
    },
    'PUT /api/rollout/trainings/:id/attendance': {
      summary: 'Record who attended (registered people only; the steering group; audited)',
      access: use,
      establishment: obj,
      params: IdParams,
      body: AttendanceBody,
      response: Training,
      errors: ['NOT_STEERING', 'NOT_REGISTERED'],
    },
    // Satisfaction pulse.
    'GET /api/rollout/pulse/mine': {
      summary: 'The services the caller may give a pulse for this month, and those already answered',
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: MyPulse,
      errors: [],
    },
    'POST /api/rollout/pulse': {
      summary: 'Give an anonymous satisfaction pulse for a service (once a month per service)',
      access: use,
      establishment: inBody,
      body: PulseBody,
      status: 204,
      errors: ['PULSE_ALREADY_ANSWERED'],
    },
    'GET /api/rollout/pulse': {
      summary: 'Pulse results per service and month, with free comments, from the minimum number of answers',
      access: use,
      establishment: inQuery,
      query: RolloutEstablishmentQuery,
      response: PulseResults,
      errors: ['NOT_STEERING'],
    },
    // The académie view (platform admins).
    'GET /api/rollout/academy': {
      summary: 'Every establishment of each académie, ranked, with its rates and its plan’s progress',
      access: { permission: 'rollout.academy' },
      establishment: 'none',
      response: AcademyView,
      errors: [],
    },
    'PUT /api/rollout/academies/:id/contact': {
      summary: "The académie's help contact shown on every principal's first screen (audited)",
      access: { permission: 'rollout.academy' },
      establishment: 'none',
      params: IdParams,
      body: ContactBody,
      response: HelpContact.omit({ academy: true }),
      errors: [],
    },
    'POST /api/rollout/academies/:id/axes': {
      summary: "Add an axis of the académie's project (audited)",
      access: { permission: 'rollout.academy' },
      establishment: 'none',
      params: IdParams,
      body: CreateAcademyAxisBody,
      status: 201,
      response: Created,
      errors: [],
    },
  },
});
