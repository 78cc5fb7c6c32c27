import type { FastifyReply, FastifyRequest } from 'fastify';
import { CryptoErrors, DomainException, type FieldError, ValidationException, wantsHtml } from '@app/platform';

/** The error summary and per-field messages a page shows after a refused form. */
export function formErrors(
  error: DomainException,
  summaryField: string,
): { errorSummary: FieldError[]; fieldErrors: Record<string, string[]> } {
  if (error instanceof ValidationException) {
    return {
      errorSummary: error.fieldErrors,
      fieldErrors: Object.fromEntries(error.fieldErrors.map((e) => [e.field, e.messages])),
    };
  }
  return { errorSummary: [{ field: summaryField, messages: [error.message] }], fieldErrors: {} };
}

export function isRefusal(error: unknown, codes: readonly string[]): error is DomainException {
  return error instanceof DomainException && (error instanceof ValidationException || codes.includes(error.code));
}

/** Pages that show a case: never cached, and their address (which may hold a link token) never sent on as a Referer. */
export function privatePage(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
}

/** For a refused or expired signed link, browsers get a page that says what to do; API clients get the error. */
export async function linkRefused(error: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (error instanceof DomainException && error.code === CryptoErrors.INVALID_LINK && wantsHtml(request)) {
    return privatePage(reply).code(error.status).view('status/link-expired.njk', {});
  }
  throw error;
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function withRetryAfter(reply: FastifyReply, error: DomainException): FastifyReply {
  const seconds = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === 'number' ? reply.header('retry-after', String(seconds)) : reply;
}
