import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig, DomainException, sendError, wantsHtml } from '@app/platform';
import { SIGN_IN_PATH } from '../auth/access.guard.js';
import { authenticatedOfficer } from '../auth/request-credentials.js';
import { CsrfTokens } from '../csrf/csrf-tokens.js';
import { IdentityErrors } from '../errors.js';
import { SessionService } from '../sessions/session.service.js';
import { cookieSettings, csrfCookieName, sessionCookieName } from '../sessions/session-policy.js';
import { AccessTokenService } from '../tokens/access-token.service.js';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Content types a cross-site page can send without a CORS preflight. */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
const CSRF_FIELD = '_csrf';
const CSRF_HEADER = 'x-csrf-token';
const BULL_BOARD = '/admin/queues';
const COOKIE_SECRET = /^[A-Za-z0-9_-]{43}$/;

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? '/';
}

function isPage(path: string): boolean {
  return !/^\/(api|static|health|metrics)(\/|$)/.test(path) && !isBullBoard(path);
}

function isBullBoard(path: string): boolean {
  return path === BULL_BOARD || path.startsWith(`${BULL_BOARD}/`);
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : '';
}

/**
 * Where a form or client put its CSRF token: the `X-CSRF-Token` header, the `_csrf` form field
 * (also a multipart field when the multipart parser attaches fields to the body), or, for
 * multipart forms whose handler streams the parts, `?_csrf=` in the form's action URL.
 */
function submittedToken(request: FastifyRequest): unknown {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  const body = request.body as Record<string, unknown> | null | undefined;
  const field = body && typeof body === 'object' ? body[CSRF_FIELD] : undefined;
  if (typeof field === 'string') return field;
  if (field && typeof field === 'object' && typeof (field as { value?: unknown }).value === 'string')
    return (field as { value: string }).value;
  if (isMultipart(request)) return (request.query as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  return undefined;
}

function contentType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function isMultipart(request: FastifyRequest): boolean {
  return contentType(request) === 'multipart/form-data';
}

function csrfRefused(): DomainException {
  return new DomainException(
    IdentityErrors.CSRF_TOKEN_INVALID,
    'This form has expired or did not come from this site. Go back, reload the page and try again.',
  );
}

/**
 * The request side of identity, for every route (Nest's and Fastify's own):
 * - onRequest: finds who is asking (bearer token on /api, else the session cookie) and sets
 *   `request.officer` and `request.credentials`; gives every page a CSRF token (`csrfToken` in
 *   templates, set as a cookie for anonymous visitors once a page carries it); keeps Bull Board to
 *   administrators; marks authenticated responses no-store.
 * - preHandler: refuses with 403 CSRF_TOKEN_INVALID any POST/PUT/PATCH/DELETE that needs a token
 *   and lacks a valid one — every cookie-session request whatever its content type, and every
 *   form-type request from an anonymous visitor (signed double-submit cookie). Bearer requests
 *   and JSON without credentials need none. The `_csrf` field is removed from the body afterwards,
 *   so DTOs never see it.
 * Call once from bootstrap, after the web layer (cookies) and before Bull Board is registered.
 */
export function registerIdentityHooks(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const config = app.get<AppConfig>(APP_CONFIG);
  const sessions = app.get(SessionService);
  const tokens = app.get(AccessTokenService);
  const csrf = app.get(CsrfTokens);
  const cookie = cookieSettings(config);
  const sessionCookie = sessionCookieName(config);
  const csrfCookie = csrfCookieName(config);
  /** Anonymous visitors who have no CSRF cookie yet: the secret to give them if the page has a form. */
  const newCsrfSecrets = new WeakMap<FastifyRequest, string>();

  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request);
    if (path.startsWith('/static/')) return;
    const bearer = bearerToken(request);
    if (bearer !== undefined && path.startsWith('/api/')) {
      const authenticated = bearer ? await tokens.authenticate(bearer) : null;
      if (authenticated) {
        request.officer = authenticated.officer;
        request.credentials = { kind: 'token', tokenId: authenticated.tokenId };
      }
      return;
    }

    const sessionToken = request.cookies[sessionCookie];
    if (sessionToken) {
      const session = await sessions.resolve(sessionToken);
      if (session) {
        request.credentials = { kind: 'session', session };
        request.csrfToken = csrf.forSession(sessionToken);
        if (session.stage === 'active') request.officer = authenticatedOfficer(session.officer);
      } else {
        reply.clearCookie(sessionCookie, cookie);
      }
    }
    if (request.credentials) reply.header('cache-control', 'no-store');

    if (isPage(path)) {
      if (!request.csrfToken) {
        let secret = request.cookies[csrfCookie];
        if (!secret || !COOKIE_SECRET.test(secret)) {
          secret = csrf.newAnonymousSecret();
          newCsrfSecrets.set(request, secret);
        }
        request.csrfToken = csrf.forAnonymous(secret);
      }
      const officer = request.officer;
      reply.locals = {
        ...(reply.locals ?? {}),
        csrfToken: request.csrfToken,
        officer: officer
          ? { displayName: officer.displayName, username: officer.username, postCode: officer.postCode, roles: officer.roles }
          : null,
      };
    }

    if (isBullBoard(path)) return guardBullBoard(request, reply);
  });

  // Like Django, a visitor gets the CSRF cookie only with a page that actually carries the token (a
  // form); and a page carrying a visitor's token must not be served to anyone else from a cache.
  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!request.csrfToken || typeof payload !== 'string' || !payload.includes(request.csrfToken)) return payload;
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    const secret = newCsrfSecrets.get(request);
    if (secret) reply.setCookie(csrfCookie, secret, cookie);
    return payload;
  });

  fastify.addHook('preHandler', async (request: FastifyRequest) => {
    if (!UNSAFE_METHODS.has(request.method) || isBullBoard(pathOf(request))) return;
    const credentials = request.credentials;
    if (credentials?.kind === 'token') return;
    if (credentials?.kind === 'session') {
      if (!request.csrfToken || !CsrfTokens.matches(request.csrfToken, submittedToken(request))) throw csrfRefused();
    } else if (FORM_TYPES.includes(contentType(request)) && (request.headers.cookie || !pathOf(request).startsWith('/api/'))) {
      // Pages always need the token (a cookie-less sign-in form is a login-CSRF target). An API
      // call that carries no cookie has no ambient authority to forge: such clients (an applicant
      // app holding its draft token in a header) prove themselves another way.
      const secret = request.cookies[csrfCookie];
      if (!secret || !COOKIE_SECRET.test(secret) || !CsrfTokens.matches(csrf.forAnonymous(secret), submittedToken(request)))
        throw csrfRefused();
    } else {
      return;
    }
    const body = request.body as Record<string, unknown> | null | undefined;
    if (body && typeof body === 'object') delete body[CSRF_FIELD];
  });
}

/**
 * Bull Board is a Fastify plugin, not a Nest route, so the guard never sees it: only a signed-in
 * administrator (session) reaches it. Its own UI sends no CSRF token, so its writes must come
 * from this origin (Sec-Fetch-Site / Origin), besides the SameSite cookie. Refusals are sent from
 * here because the plugin's own error handler would turn a thrown error into a 500.
 */
async function guardBullBoard(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  const officer = request.credentials?.kind === 'session' ? request.officer : undefined;
  let refusal: DomainException | null = null;
  if (!officer) {
    if (wantsHtml(request)) return reply.redirect(`${SIGN_IN_PATH}?next=${encodeURIComponent(BULL_BOARD)}`, 303);
    refusal = new DomainException('UNAUTHENTICATED', 'Sign in to continue.');
  } else if (!officer.roles.includes('admin')) {
    refusal = new DomainException('FORBIDDEN', 'Only administrators can see the queues.');
  } else if (UNSAFE_METHODS.has(request.method) && !sameOrigin(request)) {
    refusal = csrfRefused();
  }
  if (!refusal) return;
  sendError(refusal, request, reply);
  return reply;
}

function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin';
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin === `${request.protocol}://${request.host}`;
}
