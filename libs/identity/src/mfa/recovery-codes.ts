import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 16;

/**
 * One-time recovery codes: 16 Crockford base32 characters (80 bits), shown once as
 * XXXX-XXXX-XXXX-XXXX and stored as `salt:sha256(salt ‖ code)` (ASVS 2.6.2).
 */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += CROCKFORD[randomInt(CROCKFORD.length)];
    return code.replace(/(.{4})(?=.)/g, '$1-');
  });
}

/** What the officer typed, in the stored form: upper case, no separators, Crockford's look-alikes mapped. */
function normaliseRecoveryCode(typed: string): string {
  return typed
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
}

export function hashRecoveryCode(code: string): string {
  const salt = randomBytes(16).toString('hex');
  return `${salt}:${digest(salt, normaliseRecoveryCode(code))}`;
}

export function recoveryCodeMatches(stored: string, typed: string): boolean {
  const [salt, expected] = stored.split(':');
  if (!salt || !expected) return false;
  const actual = Buffer.from(digest(salt, normaliseRecoveryCode(typed)), 'hex');
  const wanted = Buffer.from(expected, 'hex');
  return actual.length === wanted.length && timingSafeEqual(actual, wanted);
}

function digest(salt: string, normalised: string): string {
  return createHash('sha256').update(salt).update(normalised).digest('hex');
}
