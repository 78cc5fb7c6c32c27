import { Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { AccessGuard } from './auth/access.guard.js';
import { RecentAuth } from './auth/recent-auth.js';
import { RouteInventory } from './auth/route-inventory.js';
import { SignInFlow } from './auth/sign-in-flow.js';
import { SignInService } from './auth/sign-in.service.js';
import { CsrfTokens } from './csrf/csrf-tokens.js';
import { MfaService } from './mfa/mfa.service.js';
import { OfficerService } from './officers/officer.service.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { SessionCookie } from './sessions/session-cookie.js';
import { SessionService } from './sessions/session.service.js';
import { AccessTokenService } from './tokens/access-token.service.js';
import { OfficerApiController } from './api/officer-api.controller.js';
import { AccountController } from './web/account.controller.js';
import { OfficersAdminController } from './web/officers-admin.controller.js';
import { SignInController } from './web/sign-in.controller.js';

/**
 * Officers, sessions, MFA, access tokens and the global access guard (APP_GUARD). Global, so
 * every library can inject RecentAuth (and the rest) without importing it. The request hooks
 * (sessions, bearer tokens, CSRF) are installed by registerIdentityHooks() from the API bootstrap.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    PasswordHasher,
    SessionService,
    SessionCookie,
    SignInService,
    SignInFlow,
    MfaService,
    OfficerService,
    AccessTokenService,
    RecentAuth,
    RouteInventory,
    { provide: CsrfTokens, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new CsrfTokens(config.crypto.linkSigningKey) },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  controllers: [SignInController, AccountController, OfficersAdminController, OfficerApiController],
  exports: [RecentAuth, RouteInventory, OfficerService, AccessTokenService, SessionService, MfaService, CsrfTokens, PasswordHasher],
})
export class IdentityModule {}
