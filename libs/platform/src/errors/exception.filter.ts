import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ErrorBody, errorForStatus, normaliseError } from './error-response.js';
import { wantsHtml } from '../web/content-negotiation.js';

/**
 * The one place where anything thrown becomes an HTTP response: JSON `{ error: {...} }` for the
 * API, a rendered error page for browsers. Every response carries the request's correlation id.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendError(exception, request, reply);
  }
}

const PAGES_WITH_OWN_TEXT = new Set([400, 403, 404, 429]);

export function sendError(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const error = normaliseError(exception);
  const correlationId = String(request.id);
  if (error.unexpected) {
    request.log.error({ err: exception, correlationId }, 'unhandled error');
  } else if (error.status >= 500) {
    request.log.warn(
      { code: error.code, status: error.status, correlationId, cause: (exception as Error)?.message },
      'dependency unavailable',
    );
  } else {
    request.log.info({ code: error.code, status: error.status, correlationId }, 'request refused');
  }
  if (reply.sent) return;
  reply.header('x-request-id', correlationId);
  if (wantsHtml(request) && typeof reply.view === 'function' && error.status !== 413) {
    const errorKey = PAGES_WITH_OWN_TEXT.has(error.status) ? String(error.status) : 'generic';
    void reply.code(error.status).view('errors/error.njk', { status: error.status, errorKey, correlationId });
    return;
  }
  const body: ErrorBody = { error: { code: error.code, message: error.message, correlationId } };
  if (error.details !== undefined) body.error.details = error.details;
  void reply.code(error.status).type('application/json; charset=utf-8').send(body);
}

/**
 * For Fastify's `frameworkErrors`: a URL the router refuses before any route or hook runs (bad
 * percent-encoding, a path parameter longer than maxParamLength). No hook has run, so there is no
 * locale or template context for a page: the answer is the JSON error shape, with the security
 * headers every other response carries.
 */
export function sendRouterError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  securityHeaders: ReadonlyArray<[string, string]>,
): void {
  const normalised = normaliseError(error);
  for (const [name, value] of securityHeaders) reply.header(name, value);
  request.log.info({ code: normalised.code, status: normalised.status, correlationId: String(request.id) }, 'request refused');
  const body: ErrorBody = { error: { code: normalised.code, message: normalised.message, correlationId: String(request.id) } };
  void reply.code(normalised.status).header('x-request-id', String(request.id)).type('application/json; charset=utf-8').send(body);
}

/**
 * For Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before Fastify has a request
 * (a URL or headers over the 16 kB limit: 431; a request still incomplete at the timeout: 408;
 * anything unparseable: 400). There is no request and so no request id: the answer gets a fresh
 * correlation id, the JSON error shape and the security headers, and the connection is closed, as
 * Node itself does.
 */
export function sendClientError(
  error: Error & { code?: string },
  socket: Duplex,
  securityHeaders: ReadonlyArray<[string, string]>,
  log: FastifyBaseLogger,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const correlationId = randomUUID();
  const { code, message } = errorForStatus(status);
  log.info({ code, status, correlationId, parserError: error.code }, 'request refused');
  const body = JSON.stringify({ error: { code, message, correlationId } } satisfies ErrorBody);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${correlationId}`,
    ...securityHeaders.map(([name, value]) => `${name}: ${value}`),
    'connection: close',
  ];
  if (socket.writable) socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
  socket.destroy(error);
}
