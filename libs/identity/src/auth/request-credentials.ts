import type { AuthenticatedOfficer } from '@app/platform';
import type { OfficerSession, SessionOfficer } from '../sessions/session.service.js';

/** How a request proved who it is: a session cookie, or a personal access token on the JSON API. */
export type RequestCredentials = { kind: 'session'; session: OfficerSession } | { kind: 'token'; tokenId: string };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the identity hooks before any handler runs; absent for anonymous requests. */
    credentials?: RequestCredentials;
    /** The CSRF token for this request's forms (also `csrfToken` in templates). */
    csrfToken?: string;
  }
}

/** The session behind the request, whatever its stage; null for anonymous and token requests. */
export function sessionOf(request: { credentials?: RequestCredentials }): OfficerSession | null {
  return request.credentials?.kind === 'session' ? request.credentials.session : null;
}

export function authenticatedOfficer(officer: SessionOfficer | AuthenticatedOfficer): AuthenticatedOfficer {
  return {
    id: officer.id,
    username: officer.username,
    displayName: officer.displayName,
    roles: officer.roles,
    postCode: officer.postCode,
    seesAllPosts: officer.seesAllPosts,
  };
}
