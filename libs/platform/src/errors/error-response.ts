import { HttpException } from '@nestjs/common';
import { DomainException, httpStatusFor } from './domain-exception.js';

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: unknown;
    correlationId: string;
  };
}

export interface NormalisedError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  /** True when the cause is ours, not the caller's: logged with its stack. */
  unexpected: boolean;
}

const codeByStatus: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  431: 'HEADERS_TOO_LARGE',
  503: 'NOT_READY',
};

const messageByStatus: Record<number, string> = {
  400: 'The request could not be understood.',
  401: 'Sign in to continue.',
  403: 'You are not allowed to do this.',
  404: 'Nothing was found at this address.',
  405: 'This method is not allowed here.',
  408: 'The request took too long to arrive.',
  409: 'The request conflicts with the current state.',
  413: 'The request body is too large.',
  414: 'The address is too long.',
  415: 'This content type is not supported.',
  429: 'Too many requests. Try again later.',
  431: 'The address or the request headers are too long.',
  503: 'The service is not ready.',
};

/**
 * SQLSTATE 22021 (a NUL character in text) and 22P05 (a character the encoding cannot hold): text
 * PostgreSQL cannot store, which only a request can have brought.
 */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/** SQLSTATE class 08 (connection exception) and 57P (the server is shutting down, starting up or crashed). */
const UNAVAILABLE_SQLSTATE = /^(08|57P)/;
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** What node-postgres says when a connection dies or the pool cannot get one; these carry no code. */
const LOST_CONNECTION =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable)/;

/**
 * True when a dependency (the database, a server on the network) could not be reached or went
 * away mid-request: the request may well succeed in a moment, so it is a 503, not a bug. TypeORM
 * wraps the driver's error in `driverError`.
 */
export function isDependencyUnavailable(exception: unknown): boolean {
  for (const candidate of [exception, (exception as { driverError?: unknown } | null | undefined)?.driverError]) {
    if (!candidate || typeof candidate !== 'object') continue;
    const { code, message } = candidate as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || NETWORK_ERRORS.has(code))) return true;
    if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
  }
  return false;
}

/** The code and message of a status, for refusals that carry nothing but their status. */
export function errorForStatus(status: number): { code: string; message: string } {
  return {
    code: codeByStatus[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST'),
    message: messageByStatus[status] ?? 'The request could not be understood.',
  };
}

/** Maps anything thrown while serving a request to one status, code and message. */
export function normaliseError(exception: unknown): NormalisedError {
  if (exception instanceof DomainException) {
    return { status: exception.status, code: exception.code, message: exception.message, details: exception.details, unexpected: false };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const details = typeof response === 'object' && response !== null ? (response as { details?: unknown }).details : undefined;
    return {
      status,
      code: codeByStatus[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST'),
      message: messageByStatus[status] ?? exception.message,
      details,
      unexpected: status >= 500 && status !== 503,
    };
  }
  // Errors raised by Fastify itself (body too large, malformed JSON, bad content type) carry a statusCode.
  const fastifyError = exception as { statusCode?: number; code?: string } | undefined;
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = codeByStatus[status] ?? 'BAD_REQUEST';
    const message =
      fastifyError?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || exception instanceof SyntaxError
        ? 'The request body is not valid JSON.'
        : (messageByStatus[status] ?? 'The request could not be understood.');
    return { status, code, message, unexpected: false };
  }
  const sqlState = (exception as { driverError?: { code?: unknown } } | null | undefined)?.driverError?.code;
  if (typeof sqlState === 'string' && UNSTORABLE_TEXT.has(sqlState)) {
    return { status: 400, code: 'BAD_REQUEST', message: 'The request contains a character that cannot be accepted.', unexpected: false };
  }
  if (isDependencyUnavailable(exception)) {
    return { status: 503, code: 'NOT_READY', message: 'The service is unavailable for a moment. Try again shortly.', unexpected: false };
  }
  return {
    status: httpStatusFor('INTERNAL_ERROR'),
    code: 'INTERNAL_ERROR',
    message: 'Something went wrong on our side. The error has been recorded; quote the correlation id if you contact us.',
    unexpected: true,
  };
}
