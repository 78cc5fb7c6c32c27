import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainException } from '../errors/domain-exception.js';
import { CryptoErrors } from './errors.js';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for personal data at rest, under a keyring: every ciphertext names the key id it
 * was sealed with, so keys rotate by adding a new active key while old ones still decrypt.
 * Format: `v1.<kid>.<base64url(iv ‖ ciphertext ‖ tag)>`. The optional `context` is bound as
 * additional authenticated data, so a ciphertext copied to another column or row fails to open.
 */
export class FieldCipher {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly activeKeyId: string,
  ) {
    if (!keys.has(activeKeyId)) throw new Error(`active field-encryption key "${activeKeyId}" is not in the keyring`);
  }

  encrypt(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId)!, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]);
    return `${FORMAT}.${this.activeKeyId}.${sealed.toString('base64url')}`;
  }

  decrypt(ciphertext: string, context = ''): string {
    const [format, keyId, encoded] = ciphertext.split('.');
    const key = keyId ? this.keys.get(keyId) : undefined;
    if (format !== FORMAT || !key || !encoded) {
      throw new DomainException(CryptoErrors.DECRYPTION_FAILED, 'A stored value could not be decrypted.');
    }
    const sealed = Buffer.from(encoded, 'base64url');
    if (sealed.length < IV_BYTES + TAG_BYTES) {
      throw new DomainException(CryptoErrors.DECRYPTION_FAILED, 'A stored value could not be decrypted.');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new DomainException(CryptoErrors.DECRYPTION_FAILED, 'A stored value could not be decrypted.');
    }
  }

  /** The key id a ciphertext was sealed with; used by re-encryption after a rotation. */
  static keyIdOf(ciphertext: string): string | undefined {
    return ciphertext.split('.')[1];
  }

  get activeKey(): string {
    return this.activeKeyId;
  }
}
