import { DomainException, icaoCheckDigit } from '@app/platform';
import { DocumentErrors } from './errors.js';

/**
 * ICAO Doc 9303 Part 7 machine-readable visa, format B (MRV-B): two lines of 36 characters.
 *
 *   line 1: V, type (or <), issuing state (3), name (31)
 *   line 2: visa number (9), check, nationality (3), date of birth YYMMDD, check, sex,
 *           valid until YYMMDD, check, optional data (8)
 *
 * Check digits use weights 7-3-1 (`icaoCheckDigit`); MRV-B has no composite check digit.
 */
export const MRVB_LINE_LENGTH = 36;
export const MRVB_NAME_LENGTH = 31;
export const MRVB_OPTIONAL_DATA_LENGTH = 8;
export const DEFAULT_ISSUING_STATE = 'TWN';

export interface MrvB {
  line1: string;
  line2: string;
}

/** Sex as printed on the document: `X` (unspecified) is written `<` in the MRZ. */
export type DocumentSex = 'M' | 'F' | 'X';

export interface MrvBInput {
  /** Position 2 of line 1: a letter chosen by the issuing state, or `<` (the default). */
  visaType?: string;
  /** Three-letter ICAO code of the issuing state; `TWN` by default. */
  issuingState?: string;
  surname: string;
  givenNames: string;
  /** 1–9 characters of A–Z and 0–9. */
  visaNumber: string;
  /** ICAO 9303 Part 3 nationality code (ISO 3166-1 alpha-3, or a shorter code like `D`). */
  nationality: string;
  /** YYYY-MM-DD. */
  dateOfBirth: string;
  sex: DocumentSex | '<';
  /** YYYY-MM-DD. */
  validUntil: string;
  /** Up to 8 characters of A–Z, 0–9; empty by default. */
  optionalData?: string;
}

export interface ParsedMrvB {
  documentCode: string;
  visaType: string;
  issuingState: string;
  surname: string;
  givenNames: string;
  /** The name field as written, fillers included (31 characters). */
  nameField: string;
  visaNumber: string;
  nationality: string;
  /** YYMMDD, as the MRZ writes it (the century is not in the MRZ). */
  dateOfBirth: string;
  sex: 'M' | 'F' | '<';
  /** YYMMDD. */
  validUntil: string;
  /** Undefined when the MRZ came from a seal, which does not store the optional data. */
  optionalData?: string;
  checkDigits: { visaNumber: boolean; dateOfBirth: boolean; validUntil: boolean };
  /** Every problem found: a check digit that does not match, a date or sex that cannot be. */
  problems: string[];
  valid: boolean;
}

const fieldError = (field: string, message: string) =>
  new DomainException(DocumentErrors.MRZ_FIELD_INVALID, message, [{ field, messages: [message] }]);

// ICAO 9303 Part 3 §6 transliterations for Latin letters that are not a letter plus diacritics.
const LATIN_SPECIALS: Record<string, string> = {
  Æ: 'AE',
  Ø: 'OE',
  Œ: 'OE',
  ß: 'SS',
  ẞ: 'SS',
  Þ: 'TH',
  Ð: 'D',
  Đ: 'D',
  Ł: 'L',
  Ħ: 'H',
  Ĳ: 'IJ',
  Ŋ: 'N',
  ı: 'I',
  Ŧ: 'T',
  ĸ: 'K',
  Ŀ: 'L',
};
/** Word separators: spaces, hyphens and commas become the filler `<`. */
const SEPARATOR = /[\s\-\u2010-\u2015,]/u;
/** Apostrophes and full stops are left out (O'NEIL → ONEIL, JR. → JR). */
const OMITTED = /['\u2018\u2019\u02bc`\u00b4.]/u;

/**
 * Transliterates one name (a surname, or the given names) to MRZ words: upper case A–Z, words
 * joined by `<`. Diacritics are stripped (É → E, Ü → U, Ñ → N: the single-letter options of
 * ICAO 9303 Part 3 §6), the special Latin letters use that table (Æ → AE, ß → SS, Ø → OE, Þ → TH).
 * A letter with no Latin form (Chinese, Cyrillic, Arabic…) or a digit refuses the whole name.
 */
export function transliterateName(name: string, field: string): string {
  let out = '';
  for (const char of name.normalize('NFC')) {
    const upper = char.toUpperCase();
    if (LATIN_SPECIALS[char] ?? LATIN_SPECIALS[upper]) {
      out += LATIN_SPECIALS[char] ?? LATIN_SPECIALS[upper];
    } else if (SEPARATOR.test(char)) {
      out += '<';
    } else if (OMITTED.test(char)) {
      continue;
    } else {
      const base = upper.normalize('NFD').replace(/\p{M}/gu, '');
      if (!/^[A-Z]+$/.test(base)) {
        const message =
          'This name contains characters that cannot be written in Latin letters A to Z. Use the name as printed in the passport in Latin letters.';
        throw new DomainException(DocumentErrors.NAME_NOT_LATIN, message, [{ field, messages: [message] }]);
      }
      out += base;
    }
  }
  return out.replace(/<+/g, '<').replace(/^<|<$/g, '');
}

/**
 * The 31-character name field: SURNAME<<GIVEN<NAMES, padded with `<`. A longer name is cut at
 * 31 characters, which shortens the given names first (ICAO 9303 Part 3 §4.6 truncation). When the
 * cut falls inside a word the field ends in a letter, which readers take as "possibly truncated".
 */
export function mrzNameField(surname: string, givenNames: string, length = MRVB_NAME_LENGTH): string {
  const primary = transliterateName(surname, 'surname');
  if (!primary) throw fieldError('surname', 'The surname is required in the machine-readable zone.');
  const secondary = transliterateName(givenNames, 'givenNames');
  const full = secondary ? `${primary}<<${secondary}` : primary;
  return full.slice(0, length).padEnd(length, '<');
}

/** YYYY-MM-DD (a real calendar date) → YYMMDD. */
export function mrzDate(isoDate: string, field: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!match || !date || date.toISOString().slice(0, 10) !== isoDate) {
    throw fieldError(field, `${field} must be a date written YYYY-MM-DD.`);
  }
  return `${match[1]!.slice(2)}${match[2]}${match[3]}`;
}

function code(value: string, field: string, pattern: RegExp, length: number, description: string): string {
  const upper = value.trim().toUpperCase();
  if (!pattern.test(upper)) throw fieldError(field, `${field} must be ${description}.`);
  return upper.padEnd(length, '<');
}

const withCheck = (field: string) => `${field}${icaoCheckDigit(field)}`;

export function buildMrvB(input: MrvBInput): MrvB {
  const visaType = code(input.visaType ?? '<', 'visaType', /^[A-Z<]$/, 1, 'one letter A-Z or <');
  const issuingState = code(
    input.issuingState ?? DEFAULT_ISSUING_STATE,
    'issuingState',
    /^[A-Z]{1,3}$/,
    3,
    'an ICAO code of 1 to 3 letters',
  );
  const nationality = code(input.nationality, 'nationality', /^[A-Z]{1,3}$/, 3, 'an ICAO code of 1 to 3 letters');
  const visaNumber = code(input.visaNumber, 'visaNumber', /^[A-Z0-9]{1,9}$/, 9, '1 to 9 characters of A-Z and 0-9');
  const optionalData = code(
    input.optionalData ?? '',
    'optionalData',
    /^[A-Z0-9]{0,8}$/,
    MRVB_OPTIONAL_DATA_LENGTH,
    'up to 8 characters of A-Z and 0-9',
  );
  if (!['M', 'F', 'X', '<'].includes(input.sex)) throw fieldError('sex', 'sex must be M, F or X.');
  const sex = input.sex === 'X' ? '<' : input.sex;
  const line1 = `V${visaType}${issuingState}${mrzNameField(input.surname, input.givenNames)}`;
  const line2 =
    withCheck(visaNumber) +
    nationality +
    withCheck(mrzDate(input.dateOfBirth, 'dateOfBirth')) +
    sex +
    withCheck(mrzDate(input.validUntil, 'validUntil')) +
    optionalData;
  return { line1, line2 };
}

const isYymmdd = (value: string) => {
  const match = /^(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!match) return false;
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(2000 + Number(match[1]), month, 0)).getUTCDate();
};

/**
 * Reads an MRV-B and checks every check digit. Line 2 may also be the 28 characters a Visible
 * Digital Seal keeps (without the optional data). Throws MRZ_INVALID when the text is not an MRV-B
 * at all; a wrong check digit, date or sex is reported in `problems` (and `valid` is false).
 */
export function parseMrvB(line1: string, line2: string): ParsedMrvB {
  if (line1.length !== MRVB_LINE_LENGTH || (line2.length !== MRVB_LINE_LENGTH && line2.length !== 28)) {
    throw new DomainException(DocumentErrors.MRZ_INVALID, 'An MRV-B has two lines of 36 characters.');
  }
  if (!/^[A-Z0-9<]+$/.test(line1 + line2) || line1[0] !== 'V') {
    throw new DomainException(DocumentErrors.MRZ_INVALID, 'An MRV-B starts with V and holds only A-Z, 0-9 and <.');
  }
  const nameField = line1.slice(5, 36);
  const separator = nameField.indexOf('<<');
  const words = (text: string) => text.replace(/<+/g, ' ').trim();
  const [surname, givenNames] =
    separator < 0 ? [words(nameField), ''] : [words(nameField.slice(0, separator)), words(nameField.slice(separator + 2))];
  const problems: string[] = [];
  const check = (name: string, field: string, digit: string) => {
    const ok = String(icaoCheckDigit(field)) === digit;
    if (!ok) problems.push(`the ${name} check digit is ${digit}, expected ${icaoCheckDigit(field)}`);
    return ok;
  };
  const visaNumberField = line2.slice(0, 9);
  const dateOfBirth = line2.slice(13, 19);
  const validUntil = line2.slice(21, 27);
  const sex = line2[20]!;
  const checkDigits = {
    visaNumber: check('visa number', visaNumberField, line2[9]!),
    dateOfBirth: check('date of birth', dateOfBirth, line2[19]!),
    validUntil: check('valid-until date', validUntil, line2[27]!),
  };
  if (!isYymmdd(dateOfBirth)) problems.push('the date of birth is not a date');
  if (!isYymmdd(validUntil)) problems.push('the valid-until date is not a date');
  if (!['M', 'F', '<'].includes(sex)) problems.push('sex must be M, F or <');
  return {
    documentCode: 'V',
    visaType: line1[1]!,
    issuingState: line1.slice(2, 5).replace(/<+$/, ''),
    surname,
    givenNames,
    nameField,
    visaNumber: visaNumberField.replace(/<+$/, ''),
    nationality: line2.slice(10, 13).replace(/<+$/, ''),
    dateOfBirth,
    sex: sex as ParsedMrvB['sex'],
    validUntil,
    optionalData: line2.length === MRVB_LINE_LENGTH ? line2.slice(28).replace(/<+$/, '') : undefined,
    checkDigits,
    problems,
    valid: problems.length === 0,
  };
}

/**
 * What a visa seal (ICAO 9303 Part 13, feature 0x02) stores of an MRV-B: line 1 whole (36
 * characters, with the 31-character name field as printed) followed by the first 28 characters
 * of line 2, i.e. everything up to the valid-until check digit; the 8 characters of optional
 * data are left out. 64 characters in all, 44 bytes of C40. This is what the interoperability
 * vector holds (`VCD<<DENT<<ARTHUR<PHILIP<<<<<<<<<<<<` + `1234567XY7GBR5203116M2005250`).
 */
export const SEAL_MRZ_LENGTH = 64;

export function sealMrz(mrz: MrvB): string {
  return mrz.line1 + mrz.line2.slice(0, 28);
}

/** Splits a seal's 64-character MRZ into line 1 and the 28 characters of line 2 it keeps. */
export function parseSealMrz(text: string): ParsedMrvB {
  if (text.length !== SEAL_MRZ_LENGTH) {
    throw new DomainException(DocumentErrors.MRZ_INVALID, `A visa seal keeps ${SEAL_MRZ_LENGTH} characters of an MRV-B.`);
  }
  return parseMrvB(text.slice(0, MRVB_LINE_LENGTH), text.slice(MRVB_LINE_LENGTH));
}
