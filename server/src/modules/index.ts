import type { ModuleDefinition } from '../platform/module.ts';
import { accountsModule } from './accounts/index.ts';
import { charterModule } from './charter/index.ts';
import { directoryModule } from './directory/index.ts';
import { documentsModule } from './documents/index.ts';
import { establishmentsModule } from './establishments/index.ts';
import { gradesModule } from './grades/index.ts';
import { logbookModule } from './logbook/index.ts';
import { messagingModule } from './messaging/index.ts';
import { operatorModule } from './operator/index.ts';
import { privacyModule } from './privacy/index.ts';
import { rolloutModule } from './rollout/index.ts';
import { schoolLifeModule } from './school_life/index.ts';
import { servicesModule } from './services/index.ts';
import { timelineModule } from './timeline/index.ts';
import { timetableModule } from './timetable/index.ts';

/** The one explicit list of modules: no autoload, no side-effect registration. */
export const modules: ModuleDefinition[] = [
  accountsModule,
  charterModule,
  servicesModule,
  establishmentsModule,
  directoryModule,
  timelineModule,
  messagingModule,
  privacyModule,
  timetableModule,
  operatorModule,
  documentsModule,
  logbookModule,
  rolloutModule,
  schoolLifeModule,
  gradesModule,
];
