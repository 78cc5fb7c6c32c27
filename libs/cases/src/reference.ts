import { randomInt } from 'node:crypto';

/** Crockford base32: no I, L, O or U, so a reference survives being read aloud or handwritten. */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const RANDOM_CHARS = 7;
const VALUE = new Map([...CROCKFORD_ALPHABET].map((c, i) => [c, i]));

/**
 * The check character is a Damm check over GF(32): x∘y = 2·x + y, which is a totally
 * anti-symmetric quasigroup, so every single-character substitution and every swap of two
 * neighbouring characters changes the result. It covers the prefix too.
 */
function times2(x: number): number {
  const shifted = x << 1;
  return shifted & 0x20 ? shifted ^ 0x25 : shifted; // reduce by x^5 + x^2 + 1
}

function dammInterim(chars: string): number | null {
  let interim = 0;
  for (const char of chars) {
    const value = VALUE.get(char);
    if (value === undefined) return null;
    interim = times2(interim) ^ value;
  }
  return interim;
}

function checkCharacter(chars: string): string {
  return CROCKFORD_ALPHABET[times2(dammInterim(chars)!)]!;
}

function format(compact: string): string {
  return `${compact.slice(0, 2)}-${compact.slice(2, 6)}-${compact.slice(6, 10)}`;
}

/** A new reference for a service with the given two-letter prefix (see ServiceDefinition.referencePrefix). */
export function generateReference(prefix: string): string {
  if (!/^[A-Z]{2}$/.test(prefix)) throw new Error(`a reference prefix is two capital letters, not "${prefix}"`);
  let body = prefix;
  for (let i = 0; i < RANDOM_CHARS; i++) body += CROCKFORD_ALPHABET[randomInt(32)];
  return format(body + checkCharacter(body));
}

/**
 * Reads what a person typed: case, spaces and hyphens do not matter, and the letters Crockford
 * treats as look-alikes (O for 0, I and L for 1) are read as digits. Returns the canonical form,
 * or null when the reference cannot be valid (or no service has its prefix), so no look-up is made for it.
 * ServiceCatalogue.parseReference supplies the prefixes.
 */
export function parseReferenceWith(
  input: unknown,
  serviceOfPrefix: (prefix: string) => string | undefined,
): { reference: string; service: string } | null {
  if (typeof input !== 'string' || input.length > 40) return null;
  const compact = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (compact.length !== 2 + RANDOM_CHARS + 1) return null;
  const service = serviceOfPrefix(compact.slice(0, 2));
  if (!service) return null;
  if (dammInterim(compact) !== 0) return null;
  return { reference: format(compact), service };
}
