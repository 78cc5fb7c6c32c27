import { randomBytes } from 'node:crypto';
import { FieldCipher } from './field-cipher.js';
import { BlindIndex } from './blind-index.js';
import { SignedTokens } from './signed-token.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);

describe('FieldCipher', () => {
  it('round-trips text, including non-Latin scripts, and never repeats a ciphertext', () => {
    const cipher = new FieldCipher(new Map([['k1', k1]]), 'k1');
    for (const value of ['A1234567', '陳大文', 'Zoë O’Brien', '']) {
      const sealed = cipher.encrypt(value, 'ctx');
      expect(sealed.startsWith('v1.k1.')).toBe(true);
      expect(sealed).not.toContain(value || '\u0000');
      expect(cipher.decrypt(sealed, 'ctx')).toBe(value);
    }
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('after a key rotation, reads old ciphertexts and writes new ones under the new key id', () => {
    const before = new FieldCipher(new Map([['k1', k1]]), 'k1');
    const old = before.encrypt('P1234567', 'case.passport:1');
    const after = new FieldCipher(
      new Map([
        ['k1', k1],
        ['k2', k2],
      ]),
      'k2',
    );
    expect(after.decrypt(old, 'case.passport:1')).toBe('P1234567');
    const fresh = after.encrypt('P1234567', 'case.passport:1');
    expect(FieldCipher.keyIdOf(fresh)).toBe('k2');
    expect(FieldCipher.keyIdOf(old)).toBe('k1');
    expect(after.decrypt(fresh, 'case.passport:1')).toBe('P1234567');
  });

  it('refuses a tampered ciphertext, a wrong context and an unknown key id', () => {
    const cipher = new FieldCipher(new Map([['k1', k1]]), 'k1');
    const sealed = cipher.encrypt('secret', 'ctx');
    const body = Buffer.from(sealed.split('.')[2]!, 'base64url');
    body[body.length - 20]! ^= 0x01;
    const tampered = `v1.k1.${body.toString('base64url')}`;
    expect(() => cipher.decrypt(tampered, 'ctx')).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
    expect(() => cipher.decrypt(sealed, 'other-row')).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
    expect(() => cipher.decrypt(sealed.replace('.k1.', '.k9.'), 'ctx')).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
  });
});

describe('BlindIndex', () => {
  it('matches the same identifier however it is typed, and differs by key and kind', () => {
    const index = new BlindIndex(k1);
    expect(index.of('passport', 'ab 123-456')).toBe(index.of('passport', 'AB123456'));
    expect(index.of('passport', 'AB123456')).not.toBe(index.of('email', 'AB123456'));
    expect(new BlindIndex(k2).of('passport', 'AB123456')).not.toBe(index.of('passport', 'AB123456'));
  });
});

describe('SignedTokens', () => {
  it('verifies its own tokens and refuses tampered, expired or repurposed ones', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const tokens = new SignedTokens(k1, () => now);
    const token = tokens.sign('case-view', 'case-1', 3600);
    expect(tokens.verify(token, 'case-view').subject).toBe('case-1');
    expect(() => tokens.verify(token, 'draft-resume')).toThrow(expect.objectContaining({ code: 'INVALID_LINK' }));
    const [payload, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ p: 'case-view', s: 'case-2', e: 9_999_999_999 })).toString('base64url');
    expect(() => tokens.verify(`${forged}.${mac}`, 'case-view')).toThrow(expect.objectContaining({ code: 'INVALID_LINK' }));
    const alteredMac = `${mac![0] === 'A' ? 'B' : 'A'}${mac!.slice(1)}`;
    expect(() => tokens.verify(`${payload}.${alteredMac}`, 'case-view')).toThrow(expect.objectContaining({ code: 'INVALID_LINK' }));
    now = new Date('2026-01-01T01:00:01Z');
    expect(() => tokens.verify(token, 'case-view')).toThrow(expect.objectContaining({ code: 'INVALID_LINK' }));
  });
});
