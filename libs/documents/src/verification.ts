import { parseSealMrz, type ParsedMrvB } from './mrz.js';
import { VISA_TYPE_CODES, type EvisaPurpose } from './evisa-document.js';
import type { DurationOfStay, SealFailure, SealVerification } from './vds.js';

/** The answer of POST /api/v1/verify/seal. */
export interface SealVerificationResponse {
  valid: boolean;
  /** Why the seal is not valid. The content of a seal that is not valid is never returned: nothing in it can be trusted. */
  reason?: SealFailure;
  message?: string;
  signer?: { keyId: string; issuingCountry: string; signerIdentifier: string; certificateReference: string };
  documentIssueDate?: string;
  signatureCreationDate?: string;
  features?: {
    /** The 64 MRZ characters the seal keeps: line 1 and the first 28 characters of line 2. */
    mrz: string;
    /** The MRZ read field by field, with its check digits checked. */
    mrzFields?: Omit<ParsedMrvB, 'optionalData'>;
    entries?: number;
    durationOfStay?: DurationOfStay;
    passportNumber?: string;
    /** Hex, as stored. */
    visaType?: string;
    /** The purpose the visa type code stands for, when it is one of this system's codes. */
    purpose?: EvisaPurpose;
    additionalFeatures?: string;
  };
}

const PURPOSE_BY_CODE = new Map(Object.entries(VISA_TYPE_CODES).map(([purpose, code]) => [code, purpose as EvisaPurpose]));

function mrzFields(mrz: string): Omit<ParsedMrvB, 'optionalData'> | undefined {
  try {
    const { optionalData: _optionalData, ...fields } = parseSealMrz(mrz);
    return fields;
  } catch {
    return undefined;
  }
}

export function verificationResponse(result: SealVerification): SealVerificationResponse {
  if (!result.valid) return { valid: false, reason: result.reason, message: result.message };
  const { seal, key } = result;
  const visa = seal.visa ?? {};
  return {
    valid: true,
    signer: {
      keyId: key.keyId,
      issuingCountry: seal.header.issuingCountry,
      signerIdentifier: seal.header.signerIdentifier,
      certificateReference: seal.header.certificateReference,
    },
    documentIssueDate: seal.header.documentIssueDate,
    signatureCreationDate: seal.header.signatureCreationDate,
    features: {
      mrz: visa.mrz ?? '',
      mrzFields: visa.mrz ? mrzFields(visa.mrz) : undefined,
      entries: visa.numberOfEntries,
      durationOfStay: visa.durationOfStay,
      passportNumber: visa.passportNumber,
      visaType: visa.visaType?.toString('hex'),
      purpose: visa.visaType?.length === 1 ? PURPOSE_BY_CODE.get(visa.visaType[0]!) : undefined,
      additionalFeatures: visa.additionalFeatures?.toString('hex'),
    },
  };
}
