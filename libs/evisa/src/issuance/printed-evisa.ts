import type { EvisaPurpose, EvisaDocumentData as PrintedEvisa } from '@app/documents';
import { VISA_TYPE_CODES } from '@app/documents';
import type { EvisaDocumentData } from '../officer-actions.service.js';

export interface IssuingPost {
  code: string;
  nameEn: string;
  nameZh: string;
}

/** What the PDF prints besides the application: the photo's bytes, the post's names and where to verify. */
export interface PrintContext {
  photo: Buffer | undefined;
  post: IssuingPost;
  /** `${PUBLIC_BASE_URL}/verify` */
  verificationUrl: string;
  /** YYYY-MM-DD: the approval date in the country's time zone. */
  issueDate: string;
}

const SEXES = new Set<string>(['F', 'M', 'X']);
const ENTRIES = new Set<string>(['single', 'multiple']);
const isPurpose = (value: string): value is EvisaPurpose => Object.hasOwn(VISA_TYPE_CODES, value);

/**
 * The eVisa as the documents library prints it, from the decrypted application. The two shapes
 * differ in names (passportExpiryDate → passportExpiry, stayDays → durationOfStayDays), in types
 * (free strings here, closed unions there) and in what the application does not hold. A value
 * outside the printable choices is a broken invariant, not bad input: it fails the render job
 * (which BullMQ keeps for a retry) without naming the value, which may be personal.
 */
export function printedEvisa(source: EvisaDocumentData, context: PrintContext): PrintedEvisa {
  if (!SEXES.has(source.sex)) throw new Error(`case ${source.caseId}: sex is not one of F, M, X`);
  if (!isPurpose(source.purpose)) throw new Error(`case ${source.caseId}: purpose "${source.purpose}" has no visa type code`);
  if (!ENTRIES.has(source.entries)) throw new Error(`case ${source.caseId}: entries "${source.entries}" is neither single nor multiple`);
  return {
    locale: source.locale,
    visaNumber: source.visaNumber,
    surname: source.surname,
    givenNames: source.givenNames,
    nativeName: source.nativeName ?? undefined,
    sex: source.sex,
    dateOfBirth: source.dateOfBirth,
    placeOfBirth: source.placeOfBirth,
    nationality: source.nationality,
    passportNumber: source.passportNumber,
    passportExpiry: source.passportExpiryDate,
    purpose: source.purpose,
    entries: source.entries as PrintedEvisa['entries'],
    durationOfStayDays: source.stayDays,
    validFrom: source.validFrom,
    validUntil: source.validUntil,
    issueDate: context.issueDate,
    issuingPost: context.post,
    photo: context.photo,
    verificationUrl: context.verificationUrl,
  };
}
