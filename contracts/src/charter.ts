import { defineApi } from './api.ts';
import { AcceptCharterBody } from './auth.ts';
import { IdParams } from './common.ts';
import { CharterResponse, PublishCharterBody } from './establishments.ts';

export const charterApi = defineApi({
  module: 'charter',
  permissions: ['charter.manage'],
  errors: [],
  endpoints: {
    'POST /api/me/charter/accept': {
      summary: "Accept the charter in force in one of one's establishments",
      access: { auth: 'session' },
      body: AcceptCharterBody,
      status: 204,
      errors: [],
    },
    'GET /api/establishments/:id/charter': {
      summary: 'The charter in force and its acceptance per profile',
      access: { permission: 'charter.manage' },
      params: IdParams,
      response: CharterResponse,
      errors: [],
    },
    'POST /api/establishments/:id/charter': {
      summary: 'Publish a new charter version: every member must accept it again',
      access: { permission: 'charter.manage' },
      params: IdParams,
      body: PublishCharterBody,
      status: 201,
      response: CharterResponse,
      errors: [],
    },
  },
});
