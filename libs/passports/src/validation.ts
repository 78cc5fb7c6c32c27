import { type FieldError, type Locale, LOCALES, type Translate } from '@app/platform';
import { PASSPORT_KINDS, type PassportKind } from './settings.js';

/** Who the passport is for, and how to reach them. */
export interface PassportIdentity {
  surname: string;
  givenNames: string;
  /** Optional: the name in Chinese characters, as on the household registration. */
  chineseName: string;
  sex: 'M' | 'F';
  /** YYYY-MM-DD */
  dateOfBirth: string;
  placeOfBirth: string;
  /** Optional: nationals without household registration have none. */
  nationalId: string;
  email: string;
  phone: string;
  locale: Locale;
}

/** For a renewal or replacement: the passport it replaces, and for a lost one the police report. */
export interface PreviousPassport {
  previousPassportNumber: string;
  policeReportReference: string;
}

export interface Checked<T> {
  value: T | null;
  errors: FieldError[];
}

type Raw = Record<string, unknown>;

const LATIN_NAME = /^[A-Za-z][A-Za-z '-]*$/;
const CHINESE_NAME = /^[\u3400-\u9FFF\uF900-\uFAFF·]{1,20}$/u;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ()-]{5,19}$/;
/** A passport number: 9 letters and digits. */
export const PASSPORT_NUMBER = /^[A-Z0-9]{9}$/;
/** Letter values of the national ID's first character, as the household registration assigns them. */
const ID_LETTERS = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';

export function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function error(errors: FieldError[], field: string, message: string): void {
  errors.push({ field, messages: [message] });
}

/** A real calendar date in the past, after 1900. */
export function isPastDate(value: string, today: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value && value >= '1900-01-01' && value < today;
}

/** A national ID: a letter, 1 or 2 (sex), seven digits and a check digit (weights 1, 9, 8 … 1 over the letter's two digits and the rest). */
export function isNationalId(value: string): boolean {
  if (!/^[A-Z][12]\d{8}$/.test(value)) return false;
  const code = ID_LETTERS.indexOf(value[0]!) + 10;
  const digits = [Math.floor(code / 10), code % 10, ...value.slice(1).split('').map(Number)];
  const weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1];
  return digits.reduce((sum, digit, index) => sum + digit * weights[index]!, 0) % 10 === 0;
}

export function checkKind(raw: Raw, t: Translate, prefix = ''): Checked<PassportKind> {
  const kind = text(raw.kind) as PassportKind;
  return PASSPORT_KINDS.includes(kind)
    ? { value: kind, errors: [] }
    : { value: null, errors: [{ field: `${prefix}kind`, messages: [t('passports.err.kind')] }] };
}

export function checkIdentity(raw: Raw, t: Translate, today: string, prefix = ''): Checked<PassportIdentity> {
  const errors: FieldError[] = [];
  const value: PassportIdentity = {
    surname: text(raw.surname),
    givenNames: text(raw.givenNames),
    chineseName: text(raw.chineseName),
    sex: text(raw.sex) as 'M' | 'F',
    dateOfBirth: text(raw.dateOfBirth),
    placeOfBirth: text(raw.placeOfBirth),
    nationalId: text(raw.nationalId).toUpperCase(),
    email: text(raw.email),
    phone: text(raw.phone),
    locale: text(raw.locale) as Locale,
  };
  for (const field of ['surname', 'givenNames'] as const) {
    if (!value[field]) error(errors, `${prefix}${field}`, t(`passports.err.${field}Required`));
    else if (value[field].length > 39 || !LATIN_NAME.test(value[field])) error(errors, `${prefix}${field}`, t('passports.err.latinName'));
  }
  if (value.chineseName && !CHINESE_NAME.test(value.chineseName)) error(errors, `${prefix}chineseName`, t('passports.err.chineseName'));
  if (value.sex !== 'M' && value.sex !== 'F') error(errors, `${prefix}sex`, t('passports.err.sex'));
  if (!isPastDate(value.dateOfBirth, today)) error(errors, `${prefix}dateOfBirth`, t('passports.err.dateOfBirth'));
  if (!value.placeOfBirth) error(errors, `${prefix}placeOfBirth`, t('passports.err.placeOfBirth'));
  else if (value.placeOfBirth.length > 60) error(errors, `${prefix}placeOfBirth`, t('passports.err.tooLong', { max: 60 }));
  if (value.nationalId && !isNationalId(value.nationalId)) error(errors, `${prefix}nationalId`, t('passports.err.nationalId'));
  if (!EMAIL.test(value.email) || value.email.length > 254) error(errors, `${prefix}email`, t('passports.err.email'));
  if (value.phone && !PHONE.test(value.phone)) error(errors, `${prefix}phone`, t('passports.err.phone'));
  if (!(LOCALES as readonly string[]).includes(value.locale)) error(errors, `${prefix}locale`, t('passports.err.locale'));
  return { value: errors.length ? null : value, errors };
}

export function checkPrevious(raw: Raw, kind: PassportKind, t: Translate, prefix = ''): Checked<PreviousPassport> {
  const errors: FieldError[] = [];
  const value = {
    previousPassportNumber: text(raw.previousPassportNumber).toUpperCase(),
    policeReportReference: text(raw.policeReportReference),
  };
  if (kind === 'first_issue') return { value: { previousPassportNumber: '', policeReportReference: '' }, errors };
  if (!PASSPORT_NUMBER.test(value.previousPassportNumber))
    error(errors, `${prefix}previousPassportNumber`, t('passports.err.passportNumber'));
  if (kind === 'replacement_lost') {
    if (!value.policeReportReference) error(errors, `${prefix}policeReportReference`, t('passports.err.policeReport'));
    else if (value.policeReportReference.length > 50)
      error(errors, `${prefix}policeReportReference`, t('passports.err.tooLong', { max: 50 }));
  } else {
    value.policeReportReference = '';
  }
  return { value: errors.length ? null : value, errors };
}
