import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens without server state:
 * - for an officer, the token is derived from the session id (which only the HttpOnly cookie
 *   carries), so it changes whenever the session id rotates;
 * - for an anonymous visitor, a signed double-submit cookie: the cookie holds a random secret
 *   and the form token is its HMAC under a key derived from LINK_SIGNING_KEY, so a cookie planted
 *   by someone else cannot be paired with a token they made up.
 */
export class CsrfTokens {
  private readonly key: Buffer;

  constructor(linkSigningKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', linkSigningKey, Buffer.alloc(0), 'consular csrf double-submit cookie v1', 32));
  }

  forSession(sessionToken: string): string {
    return createHash('sha256').update('csrf\u0000').update(sessionToken).digest('base64url');
  }

  newAnonymousSecret(): string {
    return randomBytes(32).toString('base64url');
  }

  forAnonymous(cookieSecret: string): string {
    return createHmac('sha256', this.key).update(cookieSecret).digest('base64url');
  }

  static matches(expected: string, given: unknown): boolean {
    if (typeof given !== 'string' || given.length !== expected.length) return false;
    return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
  }
}
