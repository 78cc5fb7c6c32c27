import { Injectable } from '@nestjs/common';
import { type EvisaDocumentData, evisaSealContent } from './evisa-document.js';
import { type PublishedSealKey, SealKeyring } from './seal-keyring.js';
import { type SealVerification, signSeal, verifySeal } from './vds.js';

/** Signs eVisa seals with the active key and checks seals against every key of the ring. */
@Injectable()
export class SealService {
  constructor(private readonly keyring: SealKeyring) {}

  /**
   * A new signed seal (raw bytes) for an eVisa. ECDSA is randomised, so each call gives other
   * bytes: create the seal once, keep it, and render the PDF from it (`EvisaPdfRenderer.render`).
   * `signedOn` is the signature creation date in the header (today, UTC, by default).
   */
  createSeal(data: EvisaDocumentData, signedOn: string = new Date().toISOString().slice(0, 10)): Buffer {
    return signSeal(evisaSealContent(data, signedOn), this.keyring);
  }

  /** Accepts raw bytes, hex, base32 or a QR code's text. Never throws. */
  verify(seal: string | Uint8Array): SealVerification {
    return verifySeal(seal, this.keyring.publicKeys());
  }

  publishedKeys(): PublishedSealKey[] {
    return this.keyring.published();
  }
}
