import { checkPassword, loadCommonPasswords } from './password-policy.js';

describe('password policy', () => {
  it('asks for 12 to 128 characters counted as Unicode code points, with no composition rules', () => {
    expect(checkPassword('short pass1')).toBe('tooShort');
    expect(checkPassword('twelve chars')).toBeNull();
    expect(checkPassword('所有的字都算一個字元長度足夠')).toBeNull();
    expect(checkPassword('😀'.repeat(11))).toBe('tooShort');
    expect(checkPassword('a'.repeat(128).replace(/a/g, (_, i: number) => String.fromCharCode(97 + (i % 26))))).toBeNull();
    expect(checkPassword('x'.repeat(129))).toBe('tooLong');
  });

  it('refuses common passwords whatever their case, and passwords containing the username', () => {
    expect(loadCommonPasswords().size).toBeGreaterThan(3000);
    expect(checkPassword('Password1234')).toBe('common');
    expect(checkPassword('QWERTYUIOP123')).toBe('common');
    expect(checkPassword('iloveyou2024')).toBe('common');
    expect(checkPassword('my name is chen.mei ok', 'chen.mei')).toBe('containsUsername');
    expect(checkPassword('a perfectly fine passphrase', 'chen.mei')).toBeNull();
  });
});
