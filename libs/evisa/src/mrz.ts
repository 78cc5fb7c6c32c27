import { icaoCheckDigit } from '@app/platform';

/** A passport's machine-readable zone, TD3 (ICAO 9303 Part 4): two lines of 44 characters. */
export interface Td3Mrz {
  documentCode: string;
  issuingState: string;
  surname: string;
  givenNames: string;
  /** The name field as printed (39 characters, `<` filler), for exact comparison. */
  nameField: string;
  documentNumber: string;
  nationality: string;
  /** YYMMDD */
  dateOfBirth: string;
  sex: 'M' | 'F' | '<';
  /** YYMMDD */
  expiryDate: string;
  personalNumber: string;
}

export type MrzCheckField = 'documentNumber' | 'dateOfBirth' | 'expiryDate' | 'personalNumber' | 'composite';

export interface Td3ParseResult {
  /** Set when the lines have the TD3 shape, even if some check digits are wrong. */
  mrz: Td3Mrz | null;
  /** What is wrong with the shape of the lines (length, characters, document code). */
  formatErrors: ('line1Length' | 'line2Length' | 'characters' | 'documentCode')[];
  /** The check digits that do not match their fields. */
  badCheckDigits: MrzCheckField[];
}

const LINE_LENGTH = 44;
const MRZ_CHARS = /^[A-Z0-9<]+$/;

/** Removes what copying from a scan or a PDF adds: spaces, line breaks, lower case. */
export function normaliseMrzLine(line: string): string {
  return line.replace(/\s+/g, '').toUpperCase();
}

function checkDigitMatches(field: string, digit: string): boolean {
  // A field entirely of fillers may carry '<' or '0' as its check digit.
  if (/^<+$/.test(field)) return digit === '<' || digit === '0';
  return /^[0-9]$/.test(digit) && icaoCheckDigit(field) === Number(digit);
}

export function parseTd3(line1Input: string, line2Input: string): Td3ParseResult {
  const line1 = normaliseMrzLine(line1Input);
  const line2 = normaliseMrzLine(line2Input);
  const formatErrors: Td3ParseResult['formatErrors'] = [];
  if (line1.length !== LINE_LENGTH) formatErrors.push('line1Length');
  if (line2.length !== LINE_LENGTH) formatErrors.push('line2Length');
  if (!MRZ_CHARS.test(line1 + line2)) formatErrors.push('characters');
  else if (line1[0] !== 'P') formatErrors.push('documentCode');
  if (formatErrors.length) return { mrz: null, formatErrors, badCheckDigits: [] };

  const nameField = line1.slice(5, 44);
  const [surnamePart = '', givenPart = ''] = nameField.split('<<');
  const givenNames = nameField
    .slice(surnamePart.length + 2)
    .replace(/<+$/, '')
    .replace(/</g, ' ');
  const mrz: Td3Mrz = {
    documentCode: line1.slice(0, 2).replace(/</g, ''),
    issuingState: line1.slice(2, 5),
    surname: surnamePart.replace(/</g, ' ').trim(),
    givenNames: givenPart ? givenNames.trim() : '',
    nameField,
    documentNumber: line2.slice(0, 9).replace(/<+$/, ''),
    nationality: line2.slice(10, 13),
    dateOfBirth: line2.slice(13, 19),
    sex: (['M', 'F'].includes(line2[20]!) ? line2[20] : '<') as Td3Mrz['sex'],
    expiryDate: line2.slice(21, 27),
    personalNumber: line2.slice(28, 42).replace(/<+$/, ''),
  };
  const badCheckDigits: MrzCheckField[] = [];
  if (!checkDigitMatches(line2.slice(0, 9), line2[9]!)) badCheckDigits.push('documentNumber');
  if (!checkDigitMatches(line2.slice(13, 19), line2[19]!)) badCheckDigits.push('dateOfBirth');
  if (!checkDigitMatches(line2.slice(21, 27), line2[27]!)) badCheckDigits.push('expiryDate');
  if (!checkDigitMatches(line2.slice(28, 42), line2[42]!)) badCheckDigits.push('personalNumber');
  const composite = line2.slice(0, 10) + line2.slice(13, 20) + line2.slice(21, 43);
  if (!checkDigitMatches(composite, line2[43]!)) badCheckDigits.push('composite');
  return { mrz, formatErrors, badCheckDigits };
}

/** A name as the MRZ writes it: A–Z, words joined by `<`, apostrophes dropped. */
export function mrzName(value: string): string {
  return value
    .toUpperCase()
    .replace(/'/g, '')
    .trim()
    .split(/[\s-]+/)
    .filter(Boolean)
    .join('<');
}

/** The 39-character TD3 name field the typed names would give (truncated like a passport would be). */
export function mrzNameField(surname: string, givenNames: string): string {
  const field = givenNames.trim() ? `${mrzName(surname)}<<${mrzName(givenNames)}` : mrzName(surname);
  return field.slice(0, 39).padEnd(39, '<');
}

export type MrzMismatchField = 'name' | 'passportNumber' | 'nationality' | 'dateOfBirth' | 'sex' | 'expiryDate';

export interface TypedIdentity {
  surname: string | null;
  givenNames: string | null;
  passportNumber: string | null;
  nationality: string | null;
  dateOfBirth: string | null;
  sex: string | null;
  expiryDate: string | null;
}

export interface MrzMismatch {
  field: MrzMismatchField;
  typed: string;
  inPassport: string;
}

/**
 * Compares what the applicant typed with what their passport's MRZ says. Any difference voids a
 * real eVisa, so each one is shown before payment. Fields not yet answered are not compared.
 */
export function compareWithMrz(mrz: Td3Mrz, typed: TypedIdentity): MrzMismatch[] {
  const mismatches: MrzMismatch[] = [];
  const yymmdd = (date: string) => date.slice(2).replace(/-/g, '');
  if (typed.surname !== null) {
    const expected = mrzNameField(typed.surname, typed.givenNames ?? '');
    if (expected !== mrz.nameField) {
      mismatches.push({
        field: 'name',
        typed: `${typed.surname} ${typed.givenNames ?? ''}`.trim().toUpperCase(),
        inPassport: `${mrz.surname} ${mrz.givenNames}`.trim(),
      });
    }
  }
  if (typed.passportNumber !== null && typed.passportNumber.toUpperCase() !== mrz.documentNumber) {
    mismatches.push({ field: 'passportNumber', typed: typed.passportNumber, inPassport: mrz.documentNumber });
  }
  if (typed.nationality !== null && typed.nationality !== mrz.nationality.replace(/<+$/, '')) {
    mismatches.push({ field: 'nationality', typed: typed.nationality, inPassport: mrz.nationality.replace(/</g, '') });
  }
  if (typed.dateOfBirth !== null && yymmdd(typed.dateOfBirth) !== mrz.dateOfBirth) {
    mismatches.push({ field: 'dateOfBirth', typed: typed.dateOfBirth, inPassport: mrz.dateOfBirth });
  }
  if (typed.sex !== null) {
    const typedSex = typed.sex === 'X' ? '<' : typed.sex;
    if (typedSex !== mrz.sex) mismatches.push({ field: 'sex', typed: typed.sex, inPassport: mrz.sex === '<' ? 'X' : mrz.sex });
  }
  if (typed.expiryDate !== null && yymmdd(typed.expiryDate) !== mrz.expiryDate) {
    mismatches.push({ field: 'expiryDate', typed: typed.expiryDate, inPassport: mrz.expiryDate });
  }
  return mismatches;
}
