import { SetMetadata } from '@nestjs/common';

export type Role = 'officer' | 'supervisor' | 'admin';
export const ROLES: readonly Role[] = ['officer', 'supervisor', 'admin'];

/**
 * Every route declares who may call it; the global guard denies any route without a policy.
 * - public: anyone (rate limits still apply where the route sets them);
 * - officer: a signed-in officer holding at least one of the roles;
 * - applicant: the applicant of one case, proven by the route itself (reference + surname + date
 *   of birth, or a signed link) — the guard only lets it through to that check.
 */
export type RoutePolicy = { kind: 'public' } | { kind: 'officer'; roles: readonly Role[] } | { kind: 'applicant' };

export const ROUTE_POLICY = 'consular:route-policy';

export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(ROUTE_POLICY, { kind: 'public' } satisfies RoutePolicy);

/** With no roles listed, any signed-in officer. */
export const OfficerRoute = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROUTE_POLICY, { kind: 'officer', roles: roles.length ? roles : ROLES } satisfies RoutePolicy);

export const ApplicantRoute = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ROUTE_POLICY, { kind: 'applicant' } satisfies RoutePolicy);

/** The officer behind a request, set by the identity guard. */
export interface AuthenticatedOfficer {
  id: string;
  username: string;
  displayName: string;
  roles: readonly Role[];
  postCode: string;
  /** HQ officers and supervisors see every post; everyone else only their own. */
  seesAllPosts: boolean;
}

/** What the query layer filters by: every post, or the officer's own. */
export type PostScope = { allPosts: true } | { allPosts: false; postCode: string };

export function postScopeOf(officer: AuthenticatedOfficer): PostScope {
  return officer.seesAllPosts ? { allPosts: true } : { allPosts: false, postCode: officer.postCode };
}

declare module 'fastify' {
  interface FastifyRequest {
    officer?: AuthenticatedOfficer;
  }
}
