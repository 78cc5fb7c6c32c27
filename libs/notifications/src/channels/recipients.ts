import { parsePhoneNumberFromString } from 'libphonenumber-js';

const EMAIL = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\].]{2,}$/;

/** A deliverable-looking email address (RFC 5321 length limits, one @, a dotted domain). */
export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value) && value.split('@')[0]!.length <= 64;
}

/** The E.164 form of an international phone number, or null when it cannot receive a text. */
export function toE164(value: string): string | null {
  const parsed = parsePhoneNumberFromString(value.trim());
  return parsed && parsed.isValid() ? parsed.number : null;
}

/** `m•••@example.test`: enough for an officer to tell addresses apart, not enough to read one. */
export function maskEmail(address: string): string {
  const [local = '', domain = ''] = address.split('@');
  return `${local.slice(0, 1)}•••@${domain}`;
}

/** `+886•••••678`: country code and the last three digits. */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  const country = parsed ? `+${parsed.countryCallingCode}` : e164.slice(0, 3);
  const rest = e164.slice(country.length);
  return `${country}${'•'.repeat(Math.max(rest.length - 3, 0))}${rest.slice(-3)}`;
}

/**
 * Provider error texts often echo the address or number ("<mei@example.com>: Recipient address
 * rejected"); they go to logs and to the supervisors' list, so contact details are masked first.
 */
export function redactContacts(text: string): string {
  return text
    .replace(/[^\s<>()"',;:@]+@[^\s<>()"',;:@]+\.[A-Za-z]{2,}/g, (address) => maskEmail(address))
    .replace(/\+?\d(?:[\s()-]*\d){7,}/g, '[number]');
}
