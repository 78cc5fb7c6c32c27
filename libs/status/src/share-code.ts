import { randomInt } from 'node:crypto';
import { CROCKFORD_ALPHABET } from '@app/cases';

export const SHARE_CODE_LENGTH = 9;

/** 9 random Crockford base32 characters (45 bits): `K7M-3QX-9PA` once formatted. */
export function generateShareCode(): string {
  let code = '';
  for (let i = 0; i < SHARE_CODE_LENGTH; i++) code += CROCKFORD_ALPHABET[randomInt(CROCKFORD_ALPHABET.length)];
  return code;
}

export function formatShareCode(code: string): string {
  return `${code.slice(0, 3)}-${code.slice(3, 6)}-${code.slice(6, 9)}`;
}

/**
 * Reads a typed share code like a reference: case, spaces and hyphens do not matter, and O, I
 * and L are read as 0, 1 and 1. Returns the canonical 9 characters, or null.
 */
export function parseShareCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 30) return null;
  const compact = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (compact.length !== SHARE_CODE_LENGTH) return null;
  return [...compact].every((c) => CROCKFORD_ALPHABET.includes(c)) ? compact : null;
}
