import { type FieldError, type Locale, LOCALES, type Translate } from '@app/platform';

export const SEXES = ['F', 'M', 'X'] as const;
export type Sex = (typeof SEXES)[number];

export interface ApplicantDetails {
  givenNames: string;
  surname: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
  sex: Sex;
  email: string;
  phone: string;
  locale: Locale;
}

export interface PassportDetails {
  /** ISO 3166-1 alpha-3, as on the passport. */
  nationality: string;
  passportNumber: string;
  /** YYYY-MM-DD */
  passportExpiry: string;
}

export interface BusinessDetails {
  companyName: string;
  jobTitle: string;
  businessReason: string;
}

export interface Checked<T> {
  value: T | null;
  errors: FieldError[];
}

type Raw = Record<string, unknown>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ()-]{5,19}$/;
const PASSPORT_NUMBER = /^[A-Z0-9]{6,12}$/;

export function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function required(errors: FieldError[], field: string, value: string, max: number, missing: string, t: Translate): void {
  if (!value) errors.push({ field, messages: [missing] });
  else if (value.length > max) errors.push({ field, messages: [t('abtc.err.tooLong', { max })] });
}

export function checkApplicant(raw: Raw, t: Translate, today: string, prefix = ''): Checked<ApplicantDetails> {
  const errors: FieldError[] = [];
  const value = {
    givenNames: text(raw.givenNames),
    surname: text(raw.surname),
    dateOfBirth: text(raw.dateOfBirth),
    sex: text(raw.sex) as Sex,
    email: text(raw.email),
    phone: text(raw.phone),
    locale: text(raw.locale) as Locale,
  };
  required(errors, `${prefix}givenNames`, value.givenNames, 100, t('abtc.err.givenNames'), t);
  required(errors, `${prefix}surname`, value.surname, 100, t('abtc.err.surname'), t);
  if (!isDate(value.dateOfBirth) || value.dateOfBirth < '1900-01-01' || value.dateOfBirth >= today) {
    errors.push({ field: `${prefix}dateOfBirth`, messages: [t('abtc.err.dateOfBirth')] });
  }
  if (!SEXES.includes(value.sex)) errors.push({ field: `${prefix}sex`, messages: [t('abtc.err.sex')] });
  if (!EMAIL.test(value.email) || value.email.length > 254) errors.push({ field: `${prefix}email`, messages: [t('abtc.err.email')] });
  if (value.phone && !PHONE.test(value.phone)) errors.push({ field: `${prefix}phone`, messages: [t('abtc.err.phone')] });
  if (!(LOCALES as readonly string[]).includes(value.locale)) errors.push({ field: `${prefix}locale`, messages: [t('abtc.err.locale')] });
  return { value: errors.length ? null : value, errors };
}

export function checkPassport(raw: Raw, t: Translate, today: string, prefix = ''): Checked<PassportDetails> {
  const errors: FieldError[] = [];
  const value = {
    nationality: text(raw.nationality).toUpperCase(),
    passportNumber: text(raw.passportNumber).toUpperCase().replace(/\s+/g, ''),
    passportExpiry: text(raw.passportExpiry),
  };
  if (!/^[A-Z]{3}$/.test(value.nationality)) errors.push({ field: `${prefix}nationality`, messages: [t('abtc.err.nationality')] });
  if (!PASSPORT_NUMBER.test(value.passportNumber)) {
    errors.push({ field: `${prefix}passportNumber`, messages: [t('abtc.err.passportNumber')] });
  }
  if (!isDate(value.passportExpiry) || value.passportExpiry <= today) {
    errors.push({ field: `${prefix}passportExpiry`, messages: [t('abtc.err.passportExpiry')] });
  }
  return { value: errors.length ? null : value, errors };
}

export function checkBusiness(raw: Raw, t: Translate, prefix = ''): Checked<BusinessDetails> {
  const errors: FieldError[] = [];
  const value = { companyName: text(raw.companyName), jobTitle: text(raw.jobTitle), businessReason: text(raw.businessReason) };
  required(errors, `${prefix}companyName`, value.companyName, 200, t('abtc.err.companyName'), t);
  required(errors, `${prefix}jobTitle`, value.jobTitle, 100, t('abtc.err.jobTitle'), t);
  required(errors, `${prefix}businessReason`, value.businessReason, 1000, t('abtc.err.businessReason'), t);
  return { value: errors.length ? null : value, errors };
}
