import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainException, ROUTE_POLICY, type RoutePolicy, wantsHtml } from '@app/platform';
import { REQUIRE_RECENT_AUTH, RecentAuth, reauthUrl } from './recent-auth.js';

export const SIGN_IN_PATH = '/officer/sign-in';

/**
 * The one authorization check, deny by default, installed as APP_GUARD. It reads the policy that
 * `@Public()`, `@OfficerRoute(...roles)` or `@ApplicantRoute()` put on the handler or its class:
 * - no policy: 403, whoever asks;
 * - public and applicant: let through (an applicant route proves the applicant itself);
 * - officer: needs `request.officer` (from an active session or a bearer token) holding one of
 *   the roles. Without it, a browser is sent to the sign-in page and an API client gets 401;
 *   with the wrong role, 403. `@RequireRecentAuth()` then asks for a recent password.
 * Post scoping is not decided here but in the queries (see post-scope.ts).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('AccessGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly recentAuth: RecentAuth,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const policy = this.reflector.getAllAndOverride<RoutePolicy | undefined>(ROUTE_POLICY, targets);
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (!policy) {
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} declares no access policy: denied`);
      throw new DomainException('FORBIDDEN', 'You are not allowed to do this.');
    }
    if (policy.kind === 'public' || policy.kind === 'applicant') return true;

    const officer = request.officer;
    if (!officer) {
      if (wantsHtml(request)) {
        const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url.split('?')[0]!)}` : '';
        void reply.redirect(`${SIGN_IN_PATH}${next}`, 303);
      } else {
        reply.header('www-authenticate', 'Bearer');
      }
      throw new DomainException('UNAUTHENTICATED', 'Sign in to continue.');
    }
    if (!policy.roles.some((role) => officer.roles.includes(role))) {
      throw new DomainException('FORBIDDEN', 'Your role does not allow this.');
    }
    if (this.reflector.getAllAndOverride<boolean | undefined>(REQUIRE_RECENT_AUTH, targets) && !this.recentAuth.isRecent(request)) {
      if (wantsHtml(request)) void reply.redirect(reauthUrl(request), 303);
      this.recentAuth.assertRecentAuth(request);
    }
    return true;
  }
}
