import { isEmailAddress, maskEmail, maskPhone, redactContacts, toE164 } from './recipients.js';

describe('recipients', () => {
  it('accepts deliverable-looking addresses only', () => {
    for (const good of ['mei@example.com', 'a.b+c@sub.example.gov.tw']) expect(isEmailAddress(good)).toBe(true);
    for (const bad of [
      'not-an-address',
      'a@b',
      'a b@example.com',
      '<a@example.com>',
      'a@example.com, b@example.com',
      `${'x'.repeat(65)}@example.com`,
    ]) {
      expect(isEmailAddress(bad)).toBe(false);
    }
  });

  it('checks phone numbers with libphonenumber and writes them in E.164', () => {
    expect(toE164('+886 912 345 678')).toBe('+886912345678');
    expect(toE164('+1 (213) 555-0100')).toBe('+12135550100');
    expect(toE164('0912345678')).toBeNull(); // no country code: cannot be dialled from abroad
    expect(toE164('+886 12')).toBeNull();
  });

  it('masks what officers see in lists', () => {
    expect(maskEmail('mei.chen@example.com')).toBe('m•••@example.com');
    expect(maskPhone('+886912345678')).toBe('+886••••••678');
  });

  it('masks contact details echoed in provider errors', () => {
    expect(redactContacts('550 5.1.1 <mei.chen@example.com>: Recipient address rejected')).toBe(
      '550 5.1.1 <m•••@example.com>: Recipient address rejected',
    );
    expect(redactContacts('invalid destination +886 912 345 678')).toBe('invalid destination [number]');
  });
});
