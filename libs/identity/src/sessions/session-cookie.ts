import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { cookieSettings, sessionCookieName } from './session-policy.js';

/** Writes the session cookie: HttpOnly, SameSite=Lax, and in production Secure with the __Host- prefix; no Max-Age (ends with the browser). */
@Injectable()
export class SessionCookie {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  set(reply: FastifyReply, token: string): void {
    reply.setCookie(sessionCookieName(this.config), token, cookieSettings(this.config));
  }

  clear(reply: FastifyReply): void {
    reply.clearCookie(sessionCookieName(this.config), cookieSettings(this.config));
  }
}
