import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { AppConfig } from '@app/platform';
import { DEFAULT_ISSUING_STATE } from './mrz.js';
import type { SealPublicKey, SealSigningKey } from './vds.js';

/**
 * Every seal names its signer as a 4-character signer identifier (ICAO: the 2-letter country code
 * plus two characters) and a certificate reference. This system signs eVisa seals as `TWEV` and
 * uses the key id from SEAL_SIGNING_KEYS as the certificate reference, so a verifier picks the
 * published key by (signer identifier, certificate reference) = (`TWEV`, key id).
 */
export const SEAL_SIGNER_IDENTIFIER = 'TWEV';

/** A public key as GET /api/v1/verify/keys publishes it. */
export interface PublishedSealKey {
  keyId: string;
  issuingCountry: string;
  signerIdentifier: string;
  certificateReference: string;
  algorithm: 'ES256';
  curve: 'P-256';
  /** Whether this key signs new seals; the others stay published so the seals they signed still verify. */
  active: boolean;
  jwk: JsonWebKey & { kid: string; alg: 'ES256'; use: 'sig' };
  /** SubjectPublicKeyInfo, PEM. */
  pem: string;
}

/**
 * The seal signing keys, by key id. The active key signs; every key, old ones included, verifies,
 * so rotating (add a key, make it active) never invalidates a seal already printed.
 */
export class SealKeyring {
  private readonly keys: ReadonlyMap<string, { privateKey: KeyObject; publicKey: KeyObject }>;

  constructor(
    privateKeys: ReadonlyMap<string, KeyObject>,
    private readonly activeKeyId: string,
    readonly signerIdentifier = SEAL_SIGNER_IDENTIFIER,
    readonly issuingCountry = DEFAULT_ISSUING_STATE,
  ) {
    if (!privateKeys.has(activeKeyId)) throw new Error(`active seal signing key "${activeKeyId}" is not in the keyring`);
    this.keys = new Map([...privateKeys].map(([kid, privateKey]) => [kid, { privateKey, publicKey: createPublicKey(privateKey) }]));
  }

  static fromConfig(config: AppConfig): SealKeyring {
    return new SealKeyring(config.seal.signingKeys, config.seal.activeKeyId);
  }

  get active(): SealSigningKey & { keyId: string } {
    return {
      keyId: this.activeKeyId,
      signerIdentifier: this.signerIdentifier,
      certificateReference: this.activeKeyId,
      privateKey: this.keys.get(this.activeKeyId)!.privateKey,
    };
  }

  publicKeys(): SealPublicKey[] {
    return [...this.keys].map(([keyId, { publicKey }]) => ({
      keyId,
      issuingCountry: this.issuingCountry,
      signerIdentifier: this.signerIdentifier,
      certificateReference: keyId,
      publicKey,
    }));
  }

  published(): PublishedSealKey[] {
    return this.publicKeys().map((key) => ({
      keyId: key.keyId,
      issuingCountry: key.issuingCountry,
      signerIdentifier: key.signerIdentifier,
      certificateReference: key.certificateReference,
      algorithm: 'ES256',
      curve: 'P-256',
      active: key.keyId === this.activeKeyId,
      jwk: { ...key.publicKey.export({ format: 'jwk' }), kid: key.keyId, alg: 'ES256', use: 'sig' },
      pem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    }));
  }
}
