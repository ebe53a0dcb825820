import { operatorApi } from '@preau/contracts';
import { defineModule } from '../../platform/module.ts';
import * as m0030 from './0030_operator_identity.ts';
import { operatorRoutes } from './operator.routes.ts';

/**
 * The operator of the instance (a Région, a Département, an académie, a State service…): the identity the header,
 * the footer, the legal notice and the accessibility statement show. Anyone reads it; the platform administrator
 * changes it.
 */
export const operatorModule = defineModule({
  name: 'operator',
  prefix: '/api/operator',
  api: operatorApi,
  tables: ['operator_identity'],
  migrations: { '0030_operator_identity': m0030 },
  permissions: {},
  messages: {
    LOGO_INVALID: {
      fr: "Le logo n'est pas une image PNG, JPEG, WebP ou SVG valide (un SVG ne doit contenir ni script ni lien javascript).",
      en: 'The logo is not a valid PNG, JPEG, WebP or SVG image (an SVG must contain no script nor javascript link).',
    },
  },
  plugin: operatorRoutes,
});
