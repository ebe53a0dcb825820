import type { FeatureDefinition } from '../app/feature.ts';
import { documentsFeature } from './documents/index.ts';
import { gradesFeature } from './grades/index.ts';
import { logbookFeature } from './logbook/index.ts';
import { messagingFeature } from './messaging/index.ts';
import { privacyFeature } from './privacy/index.ts';
import { rolloutFeature } from './rollout/index.ts';
import { schoolLifeFeature } from './school_life/index.ts';
import { timelineFeature } from './timeline/index.ts';
import { timetableFeature } from './timetable/index.ts';

/** The one list of the web app's features (one line per server module with screens). */
export const features: FeatureDefinition[] = [
  timelineFeature,
  messagingFeature,
  privacyFeature,
  timetableFeature,
  documentsFeature,
  logbookFeature,
  rolloutFeature,
  schoolLifeFeature,
  gradesFeature,
];

/** The feature implementing a catalogue service, if its screens exist. */
export const featureOfService = (key: string) => features.find((f) => f.service === key);
