import { gradesApi } from '@preau/contracts';
import { trustedDb } from '../../platform/access/authorize.ts';
import { defineModule } from '../../platform/module.ts';
import * as m0450 from './0450_grades_core.ts';
import * as m0451 from './0451_grades_covering_index.ts';
import * as m0452 from './0452_grades_class_stats.ts';
import * as m0453 from './0453_grades_cache_invalidation.ts';
import { gradesIndicators, gradesNotifications, gradesPersonalData } from './grades.declarations.ts';
import { seedGradesDemo } from './grades.demo.ts';
import { gradesMessages } from './grades.messages.ts';
import { gradesRoutes } from './grades.routes.ts';
import { announceDue, gradesHome } from './grades.service.ts';

export { announceDue } from './grades.service.ts';

const ALL = ['student', 'guardian', 'teacher', 'staff', 'principal', 'local_admin'] as const;

/**
 * Grades (notes et évaluations): assessments of a class or a group with each student's grade or code and optional
 * competencies, averages per subject and period, the publication delay (a job tells students and guardians once
 * it has passed), the teacher's grade book, the report per period (comments, publication, PDF).
 * See docs/ARCHITECTURE.md, "Grades".
 */
export const gradesModule = defineModule({
  name: 'grades',
  service: 'grades',
  prefix: '/api/grades',
  api: gradesApi,
  tables: [
    'grades_setting',
    'grades_assessment',
    'grades_grade',
    'grades_class_stat',
    'grades_comment',
    'grades_report',
  ],
  migrations: {
    '0450_grades_core': m0450,
    '0451_grades_covering_index': m0451,
    '0452_grades_class_stats': m0452,
    '0453_grades_cache_invalidation': m0453,
  },
  permissions: {
    'grades.read': ALL,
    'grades.write': ['teacher'],
    'grades.report': ['teacher', 'staff', 'principal'],
    'grades.manage': ['principal'],
  },
  messages: gradesMessages,
  notifications: gradesNotifications,
  indicators: gradesIndicators,
  personalData: gradesPersonalData,
  home: gradesHome,
  demo: seedGradesDemo,
  jobs: async ({ boss, db }) => {
    // Every five minutes: students and guardians are told of the assessments whose delay has passed.
    await boss.createQueue('grades.publish');
    await boss.work('grades.publish', async () => {
      await announceDue(trustedDb(db, 'the publication job'));
    });
    await boss.schedule('grades.publish', '*/5 * * * *', null, { tz: 'Europe/Paris' });
  },
  plugin: gradesRoutes,
});
