import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainException } from '../errors/domain-exception.js';
import { CryptoErrors } from './errors.js';

export interface TokenClaims {
  /** What the token may be used for, e.g. "case-view" or "draft-resume"; checked on use. */
  purpose: string;
  /** What it points at, e.g. a case id. Never personal data: tokens travel in URLs. */
  subject: string;
  expiresAt: Date;
}

/** Signed, expiring tokens for links sent by email: `<payload>.<hmac>`, both base64url. */
export class SignedTokens {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => Date = () => new Date(),
  ) {}

  sign(purpose: string, subject: string, ttlSeconds: number): string {
    const exp = Math.floor(this.now().getTime() / 1000) + ttlSeconds;
    const payload = Buffer.from(JSON.stringify({ p: purpose, s: subject, e: exp })).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  verify(token: string, purpose: string): TokenClaims {
    const [payload, mac] = typeof token === 'string' ? token.split('.') : [];
    if (!payload || !mac || payload.length > 2048) throw this.invalid();
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw this.invalid();
    let claims: { p?: unknown; s?: unknown; e?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      throw this.invalid();
    }
    if (claims.p !== purpose || typeof claims.s !== 'string' || typeof claims.e !== 'number') throw this.invalid();
    if (claims.e * 1000 <= this.now().getTime()) throw this.invalid();
    return { purpose, subject: claims.s, expiresAt: new Date(claims.e * 1000) };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  private invalid(): DomainException {
    return new DomainException(CryptoErrors.INVALID_LINK, 'This link is not valid or has expired.');
  }
}
