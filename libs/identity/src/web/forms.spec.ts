import { randomBytes } from 'node:crypto';
import { CsrfTokens } from '../csrf/csrf-tokens.js';
import { safeReturnPath } from './forms.js';

describe('return paths after sign-in', () => {
  it('keeps officer pages and the queue board, and drops anything that could leave the site', () => {
    expect(safeReturnPath('/officer/admin/officers/1b2c')).toBe('/officer/admin/officers/1b2c');
    expect(safeReturnPath('/admin/queues')).toBe('/admin/queues');
    for (const bad of [
      '//evil.example',
      'https://evil.example/officer',
      '/officer//evil',
      '/officer/../x',
      '/\\evil',
      '/other',
      '',
      42,
      '/officer?x=1',
    ]) {
      expect([bad, safeReturnPath(bad)]).toEqual([bad, null]);
    }
  });
});

describe('CSRF tokens', () => {
  it('bind an anonymous token to its cookie under the key, and a session token to the session id', () => {
    const key = randomBytes(32);
    const tokens = new CsrfTokens(key);
    const secret = tokens.newAnonymousSecret();
    const token = tokens.forAnonymous(secret);
    expect(token).not.toBe(secret);
    expect(CsrfTokens.matches(token, tokens.forAnonymous(secret))).toBe(true);
    expect(CsrfTokens.matches(token, new CsrfTokens(randomBytes(32)).forAnonymous(secret))).toBe(false);
    expect(CsrfTokens.matches(token, tokens.forAnonymous(tokens.newAnonymousSecret()))).toBe(false);
    expect(CsrfTokens.matches(tokens.forSession('a'.repeat(43)), tokens.forSession('b'.repeat(43)))).toBe(false);
    expect(CsrfTokens.matches(token, undefined)).toBe(false);
    expect(CsrfTokens.matches(token, [token])).toBe(false);
  });
});
