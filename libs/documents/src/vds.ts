import { sign, verify, type KeyObject } from 'node:crypto';
import { DomainException } from '@app/platform';
import { base32Decode } from './base32.js';
import { c40Decode, c40Encode } from './c40.js';
import { DocumentErrors } from './errors.js';
import { SEAL_MRZ_LENGTH } from './mrz.js';

/**
 * ICAO Doc 9303 Part 13 Visible Digital Seal (VDS), header version 4, for a visa (document type
 * 0x5D01), signed with ECDSA P-256 / SHA-256.
 *
 *   header    DC 03 | country C40 (2) | signer id + cert ref length (2 hex) + cert ref, C40
 *             | issue date (3) | signature date (3) | 5D | 01
 *   message   TLV features: tag (1) | DER length | value
 *   signature FF | DER length | r ‖ s (64 bytes for P-256)
 *
 * The signature covers the header and the message zone. Dates are the number MMDDYYYY written as
 * 3 bytes big-endian.
 */
export const VDS_MAGIC = 0xdc;
/** The version byte 0x03 means header version 4; 0x02 is version 3 (read, never written). */
export const VDS_VERSION_4 = 0x03;
const VDS_VERSION_3 = 0x02;
export const VISA_FEATURE_DEFINITION_REFERENCE = 0x5d;
export const VISA_DOCUMENT_TYPE_CATEGORY = 0x01;
export const SIGNATURE_MARKER = 0xff;

export enum VisaFeature {
  MrzMrvA = 0x01,
  MrzMrvB = 0x02,
  NumberOfEntries = 0x03,
  DurationOfStay = 0x04,
  PassportNumber = 0x05,
  VisaType = 0x06,
  AdditionalFeatures = 0x07,
}

export interface SealHeader {
  /** 4 for everything this system writes; 3 is read too. */
  version: number;
  /** Three-letter ICAO code, fillers as `<` (e.g. `TWN`, `UTO`, `D<<`). */
  issuingCountry: string;
  /** Four characters: the 2-letter country code and two characters naming the signer. */
  signerIdentifier: string;
  /** Names the signer's certificate; this system writes the key id of the signing key. */
  certificateReference: string;
  /** YYYY-MM-DD. */
  documentIssueDate: string;
  /** YYYY-MM-DD. */
  signatureCreationDate: string;
  featureDefinitionReference: number;
  documentTypeCategory: number;
}

export interface SealFeature {
  tag: number;
  value: Buffer;
}

export interface DurationOfStay {
  days: number;
  months: number;
  years: number;
}

/** The message zone of a visa seal (0x5D01). */
export interface VisaSealFeatures {
  /** The 64 characters of the MRV-B a seal keeps (see `sealMrz`). */
  mrz: string;
  /** 0 means unlimited. */
  numberOfEntries: number;
  durationOfStay: DurationOfStay;
  passportNumber: string;
  /** Issuer-defined visa type code (this system: see `VISA_TYPE_CODES`). */
  visaType?: Buffer;
  additionalFeatures?: Buffer;
}

export interface DecodedSeal {
  header: SealHeader;
  /** Every feature of the message zone in order, as stored. */
  features: SealFeature[];
  /** The visa features read from `features`, when the header says the seal is a visa (0x5D01). */
  visa?: Partial<VisaSealFeatures>;
  /** Raw r ‖ s. */
  signature: Buffer;
  /** Header and message zone: the bytes the signature covers. */
  signedBytes: Buffer;
  /** The whole seal. */
  bytes: Buffer;
}

/** A key that signs seals: the active key of a `SealKeyring`. */
export interface SealSigningKey {
  signerIdentifier: string;
  certificateReference: string;
  privateKey: KeyObject;
}

/** A published key that verifies seals, found through the seal header's signer and certificate reference. */
export interface SealPublicKey {
  keyId: string;
  issuingCountry: string;
  signerIdentifier: string;
  certificateReference: string;
  publicKey: KeyObject;
}

export type SealFailure = 'MALFORMED' | 'UNKNOWN_SIGNER' | 'BAD_SIGNATURE';

export type SealVerification =
  { valid: true; seal: DecodedSeal; key: SealPublicKey } | { valid: false; reason: SealFailure; message: string; seal?: DecodedSeal };

const malformed = (message: string) => new DomainException(DocumentErrors.SEAL_MALFORMED, `The seal is malformed: ${message}.`);
const contentError = (message: string) => new DomainException(DocumentErrors.MRZ_FIELD_INVALID, message);

// ---- small encodings --------------------------------------------------------------------------

/** DER definite length, as ICAO uses for feature and signature lengths. */
export function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length <= 0xff) return Buffer.from([0x81, length]);
  if (length <= 0xffff) return Buffer.from([0x82, length >> 8, length & 0xff]);
  throw contentError('A seal feature cannot be longer than 65535 bytes.');
}

function readDerLength(bytes: Buffer, offset: number): { length: number; next: number } {
  const first = bytes[offset];
  if (first === undefined) throw malformed('a length is missing');
  if (first < 0x80) return { length: first, next: offset + 1 };
  const count = first - 0x80;
  if (count < 1 || count > 2 || offset + 1 + count > bytes.length) throw malformed('a length is not a DER definite length');
  const length = count === 1 ? bytes[offset + 1]! : (bytes[offset + 1]! << 8) + bytes[offset + 2]!;
  return { length, next: offset + 1 + count };
}

function encodeDate(isoDate: string): Buffer {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) throw contentError(`A seal date must be written YYYY-MM-DD (got "${isoDate}").`);
  const value = Number(`${match[2]}${match[3]}${match[1]}`);
  return Buffer.from([(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
}

function decodeDate(bytes: Buffer): string {
  const digits = String((bytes[0]! << 16) + (bytes[1]! << 8) + bytes[2]!).padStart(8, '0');
  const iso = `${digits.slice(4)}-${digits.slice(0, 2)}-${digits.slice(2, 4)}`;
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) throw malformed(`the header date ${digits} is not MMDDYYYY`);
  return iso;
}

const fromFiller = (text: string) => text.replace(/</g, ' ');
const toFiller = (text: string) => text.replace(/ /g, '<');

// ---- encoding ---------------------------------------------------------------------------------

export function encodeHeader(header: Omit<SealHeader, 'version'>): Buffer {
  if (!/^[A-Z<]{3}$/.test(header.issuingCountry)) throw contentError('The issuing country must be a 3-character ICAO code.');
  if (!/^[A-Z0-9]{4}$/.test(header.signerIdentifier)) throw contentError('The signer identifier must be 4 characters of A-Z and 0-9.');
  if (!/^[A-Z0-9]{1,255}$/.test(header.certificateReference)) {
    throw contentError('The certificate reference must be 1 to 255 characters of A-Z and 0-9.');
  }
  const lengthHex = header.certificateReference.length.toString(16).toUpperCase().padStart(2, '0');
  return Buffer.concat([
    Buffer.from([VDS_MAGIC, VDS_VERSION_4]),
    c40Encode(fromFiller(header.issuingCountry)),
    c40Encode(header.signerIdentifier + lengthHex + header.certificateReference),
    encodeDate(header.documentIssueDate),
    encodeDate(header.signatureCreationDate),
    Buffer.from([header.featureDefinitionReference, header.documentTypeCategory]),
  ]);
}

export function encodeFeature(feature: SealFeature): Buffer {
  if (!Number.isInteger(feature.tag) || feature.tag < 1 || feature.tag >= SIGNATURE_MARKER)
    throw contentError('A feature tag is 1 to 254.');
  return Buffer.concat([Buffer.from([feature.tag]), derLength(feature.value.length), feature.value]);
}

/** Header and message zone: the bytes that get signed. */
export function encodeSeal(header: Omit<SealHeader, 'version'>, features: readonly SealFeature[]): Buffer {
  return Buffer.concat([encodeHeader(header), ...features.map(encodeFeature)]);
}

export function encodeVisaFeatures(visa: VisaSealFeatures): SealFeature[] {
  if (visa.mrz.length !== SEAL_MRZ_LENGTH) throw contentError(`A visa seal keeps ${SEAL_MRZ_LENGTH} characters of the MRV-B.`);
  const { days, months, years } = visa.durationOfStay;
  for (const part of [days, months, years, visa.numberOfEntries]) {
    if (!Number.isInteger(part) || part < 0 || part > 254)
      throw contentError('Entries and each part of the duration of stay are 0 to 254.');
  }
  if (!/^[A-Z0-9<]{1,9}$/.test(visa.passportNumber)) throw contentError('The passport number must be 1 to 9 characters of A-Z and 0-9.');
  const features: SealFeature[] = [
    { tag: VisaFeature.MrzMrvB, value: c40Encode(fromFiller(visa.mrz)) },
    { tag: VisaFeature.NumberOfEntries, value: Buffer.from([visa.numberOfEntries]) },
    { tag: VisaFeature.DurationOfStay, value: Buffer.from([days, months, years]) },
    { tag: VisaFeature.PassportNumber, value: c40Encode(fromFiller(visa.passportNumber)) },
  ];
  if (visa.visaType) features.push({ tag: VisaFeature.VisaType, value: visa.visaType });
  if (visa.additionalFeatures) features.push({ tag: VisaFeature.AdditionalFeatures, value: visa.additionalFeatures });
  return features;
}

/** What a visa seal says, before the signer is known. */
export interface UnsignedVisaSeal {
  issuingCountry: string;
  documentIssueDate: string;
  signatureCreationDate: string;
  features: VisaSealFeatures;
}

/**
 * Builds and signs a visa seal with the keyring's active key: its signer identifier and key id
 * go into the header, so a verifier knows which published key to use. ECDSA signatures are
 * randomised: signing the same content twice gives two different (equally valid) seals.
 */
export function signSeal(content: UnsignedVisaSeal, keyring: { readonly active: SealSigningKey }): Buffer {
  const key = keyring.active;
  const signed = encodeSeal(
    {
      issuingCountry: content.issuingCountry,
      signerIdentifier: key.signerIdentifier,
      certificateReference: key.certificateReference,
      documentIssueDate: content.documentIssueDate,
      signatureCreationDate: content.signatureCreationDate,
      featureDefinitionReference: VISA_FEATURE_DEFINITION_REFERENCE,
      documentTypeCategory: VISA_DOCUMENT_TYPE_CATEGORY,
    },
    encodeVisaFeatures(content.features),
  );
  const signature = sign('sha256', signed, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return Buffer.concat([signed, Buffer.from([SIGNATURE_MARKER]), derLength(signature.length), signature]);
}

// ---- decoding ---------------------------------------------------------------------------------

/**
 * A seal as people and scanners hand it over: raw bytes, hex (`dc03…`), RFC 4648 base32 (`3QB…`,
 * what a seal's first byte 0xDC starts with), or the text a QR reader shows for the raw bytes (each
 * byte one Latin-1 character, starting with `Ü` = 0xDC).
 */
export function sealBytesFrom(input: string | Uint8Array): Buffer {
  if (typeof input !== 'string') return Buffer.from(input);
  if (input.charCodeAt(0) === VDS_MAGIC && [...input].every((char) => char.charCodeAt(0) <= 0xff)) return Buffer.from(input, 'latin1');
  const text = input.replace(/\s+/g, '');
  if (/^dc(?:[0-9a-f]{2})*$/i.test(text)) return Buffer.from(text, 'hex');
  const base32 = base32Decode(text);
  if (base32 && base32.length > 0) return base32;
  throw malformed('it is neither hex, base32 nor the text of a seal QR code');
}

function decodeHeader(bytes: Buffer): { header: SealHeader; end: number } {
  if (bytes.length < 4 || bytes[0] !== VDS_MAGIC) throw malformed('it does not start with the magic byte 0xDC');
  const versionByte = bytes[1];
  if (versionByte !== VDS_VERSION_4 && versionByte !== VDS_VERSION_3)
    throw malformed(`header version byte 0x${versionByte?.toString(16)} is not supported`);
  const issuingCountry = toFiller(c40Decode(bytes.subarray(2, 4)));
  let offset = 4;
  let signerIdentifier: string;
  let certificateReference: string;
  if (versionByte === VDS_VERSION_4) {
    const start = c40Decode(bytes.subarray(offset, offset + 4));
    const length = /^[0-9A-F]{2}$/i.test(start.slice(4, 6)) ? parseInt(start.slice(4, 6), 16) : NaN;
    if (start.length !== 6 || Number.isNaN(length)) throw malformed('the certificate reference length is not 2 hex digits');
    const size = 2 * Math.ceil((6 + length) / 3);
    if (offset + size > bytes.length) throw malformed('the header is cut short');
    const field = c40Decode(bytes.subarray(offset, offset + size));
    signerIdentifier = field.slice(0, 4);
    certificateReference = field.slice(6);
    if (certificateReference.length !== length) throw malformed('the certificate reference does not have its stated length');
    offset += size;
  } else {
    const field = c40Decode(bytes.subarray(offset, offset + 6));
    signerIdentifier = field.slice(0, 4);
    certificateReference = field.slice(4);
    offset += 6;
  }
  if (offset + 8 > bytes.length) throw malformed('the header is cut short');
  const header: SealHeader = {
    version: versionByte === VDS_VERSION_4 ? 4 : 3,
    issuingCountry,
    signerIdentifier,
    certificateReference,
    documentIssueDate: decodeDate(bytes.subarray(offset, offset + 3)),
    signatureCreationDate: decodeDate(bytes.subarray(offset + 3, offset + 6)),
    featureDefinitionReference: bytes[offset + 6]!,
    documentTypeCategory: bytes[offset + 7]!,
  };
  return { header, end: offset + 8 };
}

function integer(value: Buffer): number {
  if (value.length < 1 || value.length > 4) throw malformed('an integer feature is not 1 to 4 bytes');
  return value.readUIntBE(0, value.length);
}

function decodeVisaFeatures(features: readonly SealFeature[]): Partial<VisaSealFeatures> {
  const visa: Partial<VisaSealFeatures> = {};
  for (const { tag, value } of features) {
    switch (tag) {
      case VisaFeature.MrzMrvB:
        visa.mrz = toFiller(c40Decode(value));
        break;
      case VisaFeature.NumberOfEntries:
        visa.numberOfEntries = integer(value);
        break;
      case VisaFeature.DurationOfStay:
        if (value.length !== 3) throw malformed('the duration of stay is not 3 bytes');
        visa.durationOfStay = { days: value[0]!, months: value[1]!, years: value[2]! };
        break;
      case VisaFeature.PassportNumber:
        visa.passportNumber = toFiller(c40Decode(value));
        break;
      case VisaFeature.VisaType:
        visa.visaType = value;
        break;
      case VisaFeature.AdditionalFeatures:
        visa.additionalFeatures = value;
        break;
    }
  }
  return visa;
}

/** Reads a seal (bytes, hex, base32 or QR text). Throws SEAL_MALFORMED when it is not a well-formed signed VDS. */
export function decodeSeal(input: string | Uint8Array): DecodedSeal {
  const bytes = sealBytesFrom(input);
  const { header, end } = decodeHeader(bytes);
  const features: SealFeature[] = [];
  let offset = end;
  while (offset < bytes.length && bytes[offset] !== SIGNATURE_MARKER) {
    const tag = bytes[offset]!;
    const { length, next } = readDerLength(bytes, offset + 1);
    if (next + length > bytes.length) throw malformed(`feature 0x${tag.toString(16)} runs past the end`);
    if (features.some((feature) => feature.tag === tag)) throw malformed(`feature 0x${tag.toString(16)} appears twice`);
    features.push({ tag, value: Buffer.from(bytes.subarray(next, next + length)) });
    offset = next + length;
  }
  if (offset >= bytes.length) throw malformed('it has no signature zone');
  const signedBytes = Buffer.from(bytes.subarray(0, offset));
  const { length, next } = readDerLength(bytes, offset + 1);
  if (next + length !== bytes.length) throw malformed('the signature does not end the seal');
  const isVisa =
    header.featureDefinitionReference === VISA_FEATURE_DEFINITION_REFERENCE && header.documentTypeCategory === VISA_DOCUMENT_TYPE_CATEGORY;
  return {
    header,
    features,
    visa: isVisa ? decodeVisaFeatures(features) : undefined,
    signature: Buffer.from(bytes.subarray(next)),
    signedBytes,
    bytes,
  };
}

/**
 * Checks a seal against published keys: finds the key named by the header's issuing country,
 * signer identifier and certificate reference, then checks the ECDSA P-256 / SHA-256 signature
 * over header and message. Never throws: a seal that cannot be read is `MALFORMED`.
 */
export function verifySeal(input: string | Uint8Array, keys: readonly SealPublicKey[]): SealVerification {
  let seal: DecodedSeal;
  try {
    seal = decodeSeal(input);
  } catch (error) {
    if (error instanceof DomainException) return { valid: false, reason: 'MALFORMED', message: error.message };
    throw error;
  }
  const { issuingCountry, signerIdentifier, certificateReference } = seal.header;
  const key = keys.find(
    (candidate) =>
      candidate.issuingCountry === issuingCountry &&
      candidate.signerIdentifier === signerIdentifier &&
      candidate.certificateReference === certificateReference,
  );
  if (!key) {
    return { valid: false, reason: 'UNKNOWN_SIGNER', message: 'No published key matches the signer named in the seal.', seal };
  }
  let verified: boolean;
  try {
    verified = verify('sha256', seal.signedBytes, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, seal.signature);
  } catch {
    verified = false;
  }
  if (!verified) return { valid: false, reason: 'BAD_SIGNATURE', message: 'The signature does not match the content of the seal.', seal };
  return { valid: true, seal, key };
}
