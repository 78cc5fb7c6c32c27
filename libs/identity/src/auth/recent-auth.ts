import { Injectable, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Clock, DomainException } from '@app/platform';
import { IdentityErrors } from '../errors.js';
import { RECENT_AUTH_MS } from '../sessions/session-policy.js';
import { sessionOf } from './request-credentials.js';

export const REQUIRE_RECENT_AUTH = 'consular:require-recent-auth';

/**
 * Marks a sensitive action (resetting another officer's MFA, revoking an eVisa): the officer must
 * have typed their password within the last 5 minutes. The guard sends a browser to
 * /officer/reauth?next=<this path> and back (so give the POST route a GET confirmation page at the
 * same path); API calls get 403 REAUTH_REQUIRED. Bearer tokens never count as recent.
 */
export const RequireRecentAuth = (): MethodDecorator & ClassDecorator => SetMetadata(REQUIRE_RECENT_AUTH, true);

@Injectable()
export class RecentAuth {
  constructor(private readonly clock: Clock) {}

  isRecent(request: FastifyRequest): boolean {
    const confirmedAt = sessionOf(request)?.reauthenticatedAt;
    return !!confirmedAt && this.clock.now().getTime() - confirmedAt.getTime() < RECENT_AUTH_MS;
  }

  /** The same check for use inside a handler or service; throws 403 REAUTH_REQUIRED. */
  assertRecentAuth(request: FastifyRequest): void {
    if (this.isRecent(request)) return;
    throw new DomainException(IdentityErrors.REAUTH_REQUIRED, 'Confirm your password to do this.', { reauthUrl: reauthUrl(request) });
  }
}

/** Where to confirm the password, coming back to the page the request was for. */
export function reauthUrl(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? '/officer';
  return `/officer/reauth?next=${encodeURIComponent(path)}`;
}
