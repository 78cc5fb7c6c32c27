import { createHmac } from 'node:crypto';

/**
 * A keyed HMAC of a normalised identifier, stored beside its ciphertext so that an exact-match
 * search ("which case has passport number X?") works without decrypting every row.
 */
export class BlindIndex {
  constructor(private readonly key: Buffer) {}

  of(kind: string, value: string): string {
    return createHmac('sha256', this.key)
      .update(`${kind}\u0000${BlindIndex.normalise(value)}`)
      .digest('base64url');
  }

  static normalise(value: string): string {
    return value
      .normalize('NFKC')
      .trim()
      .toUpperCase()
      .replace(/[\s-]+/g, '');
  }
}
