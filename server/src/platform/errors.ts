import type { MessageKey } from './i18n.ts';

/**
 * One field at fault: its path (`body.email`), a message in the request's language, and the stable code of the
 * reason when there is one (`WRONG_PASSWORD`, `TOO_SHORT`, zod's `too_small`…). A message that is a problem code
 * is worded by the error handler, so no code ever reaches a person as text.
 */
export interface FieldError {
  path: string;
  message: string;
  code?: string;
}

/** A failure the client can act on: becomes application/problem+json with a stable code. */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly messageKey: MessageKey;
  readonly vars: Record<string, string | number>;
  readonly errors: FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** Members added to the problem body (`refused: [ids]` of RECIPIENT_NOT_ALLOWED). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: MessageKey,
    opts: {
      vars?: Record<string, string | number>;
      errors?: FieldError[];
      retryAfterSeconds?: number;
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(code);
    this.status = status;
    this.code = code;
    this.messageKey = code;
    this.vars = opts.vars ?? {};
    this.errors = opts.errors;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.extra = opts.extra;
  }
}

export const notFound = () => new AppError(404, 'NOT_FOUND');
export const forbidden = () => new AppError(403, 'FORBIDDEN');
export const unauthenticated = () => new AppError(401, 'UNAUTHENTICATED');
