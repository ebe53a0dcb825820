import type { charterApi } from './charter.ts';
import type { documentsApi } from './documents.ts';
import type { establishmentsApi } from './establishments.ts';
import type { gradesApi } from './grades.ts';
import type { logbookApi } from './logbook.ts';
import type { messagingApi } from './messaging.ts';
import type { operatorApi } from './operator.ts';
import type { privacyApi } from './privacy.ts';
import type { rolloutApi } from './rollout.ts';
import type { schoolLifeApi } from './school-life.ts';
import type { servicesApi } from './services.ts';
import type { timelineApi } from './timeline.ts';
import type { timetableApi } from './timetable.ts';

/*
 * The one list of the modules' typed APIs (one line per module in each type below). Type-only imports: the web
 * uses these types with endpoint keys, and no schema reaches its bundle through this file.
 */

/** Every typed endpoint, by key (`'GET /api/portal'`). */
export type Endpoints = typeof servicesApi.endpoints &
  typeof charterApi.endpoints &
  typeof establishmentsApi.endpoints &
  typeof timelineApi.endpoints &
  typeof privacyApi.endpoints &
  typeof messagingApi.endpoints &
  typeof timetableApi.endpoints &
  typeof operatorApi.endpoints &
  typeof documentsApi.endpoints &
  typeof logbookApi.endpoints &
  typeof rolloutApi.endpoints &
  typeof schoolLifeApi.endpoints &
  typeof gradesApi.endpoints;

export type EndpointName = keyof Endpoints;

/** Every module permission declared in a contract. */
export type ApiPermission =
  | (typeof servicesApi.permissions)[number]
  | (typeof charterApi.permissions)[number]
  | (typeof establishmentsApi.permissions)[number]
  | (typeof timelineApi.permissions)[number]
  | (typeof privacyApi.permissions)[number]
  | (typeof messagingApi.permissions)[number]
  | (typeof timetableApi.permissions)[number]
  | (typeof operatorApi.permissions)[number]
  | (typeof documentsApi.permissions)[number]
  | (typeof logbookApi.permissions)[number]
  | (typeof rolloutApi.permissions)[number]
  | (typeof schoolLifeApi.permissions)[number]
  | (typeof gradesApi.permissions)[number];

/** Every module problem code declared in a contract. */
export type ApiErrorCode =
  | (typeof servicesApi.errors)[number]
  | (typeof charterApi.errors)[number]
  | (typeof establishmentsApi.errors)[number]
  | (typeof timelineApi.errors)[number]
  | (typeof privacyApi.errors)[number]
  | (typeof messagingApi.errors)[number]
  | (typeof timetableApi.errors)[number]
  | (typeof operatorApi.errors)[number]
  | (typeof documentsApi.errors)[number]
  | (typeof logbookApi.errors)[number]
  | (typeof rolloutApi.errors)[number]
  | (typeof schoolLifeApi.errors)[number]
  | (typeof gradesApi.errors)[number];
