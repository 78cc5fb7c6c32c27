import { DomainException, type Locale } from '@app/platform';
import { DocumentErrors } from './errors.js';
import { buildMrvB, DEFAULT_ISSUING_STATE, type DocumentSex, type MrvB, sealMrz } from './mrz.js';
import type { UnsignedVisaSeal } from './vds.js';

export type EvisaPurpose = 'tourism' | 'business' | 'visiting_relatives' | 'international_event';

/**
 * The visa type feature (0x06) of this system's seals: one byte naming the purpose of the visit.
 * ICAO leaves the value to the issuer; verifiers read it back through this table.
 */
export const VISA_TYPE_CODES: Record<EvisaPurpose, number> = {
  tourism: 0x01,
  business: 0x02,
  visiting_relatives: 0x03,
  international_event: 0x04,
};

/** Everything printed on an eVisa. Dates are calendar dates written YYYY-MM-DD. */
export interface EvisaDocumentData {
  /** The applicant's language: the first of the two languages on the page, and the PDF's language tag. */
  locale: Locale;
  /** 1–9 characters of A–Z and 0–9 (the MRZ document number). */
  visaNumber: string;
  /** As in the passport, in Latin letters (diacritics allowed; transliterated for the MRZ). */
  surname: string;
  givenNames: string;
  /** The name in its own script, e.g. Chinese; printed, never in the MRZ. */
  nativeName?: string;
  sex: DocumentSex;
  dateOfBirth: string;
  placeOfBirth: string;
  /** ISO 3166-1 alpha-3 (ICAO 9303 Part 3 code). */
  nationality: string;
  /** 1–9 characters of A–Z and 0–9. */
  passportNumber: string;
  passportExpiry: string;
  purpose: EvisaPurpose;
  entries: 'single' | 'multiple';
  /** Days of stay from each entry (30 for the eVisa). */
  durationOfStayDays: number;
  validFrom: string;
  validUntil: string;
  issueDate: string;
  issuingPost: { code: string; nameEn: string; nameZh: string };
  /** JPEG or PNG. */
  photo?: Buffer;
  /** Where to check the eVisa online; printed under the seal. */
  verificationUrl: string;
}

export function evisaMrz(data: EvisaDocumentData): MrvB {
  return buildMrvB({
    surname: data.surname,
    givenNames: data.givenNames,
    visaNumber: data.visaNumber,
    nationality: data.nationality,
    dateOfBirth: data.dateOfBirth,
    sex: data.sex,
    validUntil: data.validUntil,
  });
}

export const normalisePassportNumber = (value: string): string => value.replace(/\s+/g, '').toUpperCase();

/** The content of the eVisa's seal: the MRZ, entries, stay, passport number and purpose. */
export function evisaSealContent(data: EvisaDocumentData, signatureCreationDate: string): UnsignedVisaSeal {
  const visaType = VISA_TYPE_CODES[data.purpose];
  if (visaType === undefined) {
    throw new DomainException(DocumentErrors.MRZ_FIELD_INVALID, `"${data.purpose}" is not an eVisa purpose.`, [
      { field: 'purpose', messages: ['Unknown purpose.'] },
    ]);
  }
  return {
    issuingCountry: DEFAULT_ISSUING_STATE,
    documentIssueDate: data.issueDate,
    signatureCreationDate,
    features: {
      mrz: sealMrz(evisaMrz(data)),
      numberOfEntries: data.entries === 'single' ? 1 : 0,
      durationOfStay: { days: data.durationOfStayDays, months: 0, years: 0 },
      passportNumber: normalisePassportNumber(data.passportNumber),
      visaType: Buffer.from([visaType]),
    },
  };
}
