import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type FieldError } from '../errors.ts';
import { type Lang, type MessageKey, pickLang, t } from '../i18n.ts';
import { schemaIssueMessage, wordFieldErrors } from './field-errors.ts';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance: string;
  errors?: FieldError[];
  retryAfterSeconds?: number;
}

const langOf = (req: FastifyRequest): Lang => req.ctx?.lang ?? pickLang(req.headers['accept-language']);

export function problem(
  req: FastifyRequest,
  status: number,
  code: MessageKey,
  opts: {
    vars?: Record<string, string | number>;
    errors?: ProblemBody['errors'];
    retryAfterSeconds?: number;
    extra?: Record<string, unknown>;
  } = {},
): ProblemBody {
  const lang = langOf(req);
  const body: ProblemBody = {
    type: `https://preau.fr/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: code,
    status,
    code,
    detail: t(lang, code, opts.vars),
    instance: req.url.split('?')[0] ?? req.url,
  };
  if (opts.errors) body.errors = wordFieldErrors(lang, opts.errors);
  if (opts.retryAfterSeconds !== undefined) body.retryAfterSeconds = opts.retryAfterSeconds;
  // extra members never replace the standard ones
  return opts.extra ? { ...opts.extra, ...body } : body;
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  if (body.retryAfterSeconds !== undefined) reply.header('retry-after', String(body.retryAfterSeconds));
  return reply
    .code(body.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .serializer((p: unknown) => JSON.stringify(p))
    .send(body);
}

const PG_CONSTRAINT = /^23/; // integrity constraint violation
const PG_DATA = /^22/; // data exception (value out of range, invalid text representation…)
// The database cannot be reached: connection refused or lost, SQLSTATE 08 (connection exception),
// 57P01-57P03 (shutting down, starting up), 53300 (too many connections). Not a bug: 503, retry later.
const DB_UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|08...|57P0[123]|53300)$/;

/** Every failure becomes problem+json; nothing but a real bug becomes a 500. */
export function errorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    return sendProblem(
      reply,
      problem(req, error.status, error.messageKey, {
        vars: error.vars,
        errors: error.errors,
        retryAfterSeconds: error.retryAfterSeconds,
        extra: error.extra,
      }),
    );
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    // zod's messages are English and technical: each issue is worded for people, its code kept.
    const lang = langOf(req);
    const errors = error.validation.map((v) => ({
      path: [error.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
      message: schemaIssueMessage(lang, v.keyword, v.params as Record<string, unknown>, v.message),
      code: v.keyword,
    }));
    return sendProblem(reply, problem(req, 400, 'VALIDATION', { errors }));
  }
  if (isResponseSerializationError(error)) {
    req.log.error({ err: error, issues: error.cause.issues }, 'response does not match its schema');
    return sendProblem(reply, problem(req, 500, 'INTERNAL'));
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return sendProblem(reply, problem(req, 400, 'INVALID_JSON'));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendProblem(reply, problem(req, 413, 'PAYLOAD_TOO_LARGE'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return sendProblem(reply, problem(req, 415, 'UNSUPPORTED_MEDIA_TYPE'));
  }
  const pgCode = (error as { code?: string }).code;
  if (typeof pgCode === 'string' && DB_UNREACHABLE.test(pgCode)) {
    req.log.error({ err: error }, 'database unreachable');
    return sendProblem(reply, problem(req, 503, 'DATABASE_DOWN'));
  }
  if (typeof pgCode === 'string' && PG_CONSTRAINT.test(pgCode) && pgCode.length === 5) {
    return sendProblem(reply, problem(req, 409, 'CONFLICT'));
  }
  if (typeof pgCode === 'string' && PG_DATA.test(pgCode) && pgCode.length === 5) {
    return sendProblem(reply, problem(req, 400, 'BAD_REQUEST'));
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return sendProblem(reply, problem(req, error.statusCode, 'BAD_REQUEST'));
  }
  req.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, problem(req, 500, 'INTERNAL'));
}
