import { hashRecoveryCode, newRecoveryCodes, recoveryCodeMatches } from './recovery-codes.js';
import { newTotpSecret, otpauthUri, totpCode, totpStep } from './totp.js';

describe('TOTP', () => {
  it('accepts the previous, current and next 30-second step and reports which one', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const now = new Date('2026-03-02T09:00:10Z');
    const step = Math.floor(now.getTime() / 30_000);
    expect(totpStep(secret, totpCode(secret, now), now)).toBe(step);
    expect(totpStep(secret, totpCode(secret, new Date(now.getTime() - 30_000)), now)).toBe(step - 1);
    expect(totpStep(secret, totpCode(secret, new Date(now.getTime() + 30_000)), now)).toBe(step + 1);
    expect(totpStep(secret, totpCode(secret, new Date(now.getTime() - 60_000)), now)).toBeNull();
    expect(totpStep(secret, 'abcdef', now)).toBeNull();
    expect(otpauthUri(secret, 'chen.mei')).toMatch(
      /^otpauth:\/\/totp\/Consular%20Services%20Portal:chen\.mei\?issuer=Consular%20Services%20Portal&secret=[A-Z2-7]+&algorithm=SHA1&digits=6&period=30$/,
    );
  });
});

describe('recovery codes', () => {
  it('are 10 distinct 80-bit codes, stored salted and hashed, matched however they are typed', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    const stored = hashRecoveryCode(codes[0]!);
    expect(stored).not.toContain(codes[0]!.replace(/-/g, ''));
    expect(hashRecoveryCode(codes[0]!)).not.toBe(stored);
    expect(recoveryCodeMatches(stored, codes[0]!)).toBe(true);
    expect(recoveryCodeMatches(stored, ` ${codes[0]!.toLowerCase().replace(/-/g, ' ')} `)).toBe(true);
    expect(recoveryCodeMatches(stored, codes[1]!)).toBe(false);
    expect(recoveryCodeMatches('garbage', codes[0]!)).toBe(false);
  });
});
