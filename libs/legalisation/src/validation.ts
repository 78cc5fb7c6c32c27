import { type FieldError, type Locale, LOCALES, type Translate } from '@app/platform';
import type { Delivery, Direction, LegalisationSettings, ServiceLevel } from './settings.js';
import { SERVICE_LEVELS } from './settings.js';

export interface ApplicantDetails {
  givenNames: string;
  surname: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
  email: string;
  phone: string;
  locale: Locale;
}

export interface RequestItem {
  documentType: string;
  issuingCountry: string;
  originals: number;
  extraCopies: number;
  description: string;
}

export interface RequestOptions {
  direction: Direction;
  serviceLevel: ServiceLevel;
  delivery: Delivery;
  mailingAddress: string | null;
}

export interface Checked<T> {
  value: T | null;
  errors: FieldError[];
}

type Raw = Record<string, unknown>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ()-]{5,19}$/;

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

export function checkApplicant(raw: Raw, t: Translate, today: string, prefix = ''): Checked<ApplicantDetails> {
  const errors: FieldError[] = [];
  const value = {
    givenNames: text(raw.givenNames),
    surname: text(raw.surname),
    dateOfBirth: text(raw.dateOfBirth),
    email: text(raw.email),
    phone: text(raw.phone),
    locale: text(raw.locale) as Locale,
  };
  if (!value.givenNames) error(errors, `${prefix}givenNames`, t('legalisation.err.givenNamesRequired'));
  else if (value.givenNames.length > 100) error(errors, `${prefix}givenNames`, t('legalisation.err.tooLong', { max: 100 }));
  if (!value.surname) error(errors, `${prefix}surname`, t('legalisation.err.surnameRequired'));
  else if (value.surname.length > 100) error(errors, `${prefix}surname`, t('legalisation.err.tooLong', { max: 100 }));
  if (!isPastDate(value.dateOfBirth, today)) error(errors, `${prefix}dateOfBirth`, t('legalisation.err.dateOfBirth'));
  if (!EMAIL.test(value.email) || value.email.length > 254) error(errors, `${prefix}email`, t('legalisation.err.email'));
  if (value.phone && !PHONE.test(value.phone)) error(errors, `${prefix}phone`, t('legalisation.err.phone'));
  if (!(LOCALES as readonly string[]).includes(value.locale)) error(errors, `${prefix}locale`, t('legalisation.err.locale'));
  return { value: errors.length ? null : value, errors };
}

function count(value: unknown): number | null {
  const s = text(value);
  return /^\d{1,3}$/.test(s) ? Number(s) : null;
}

export function checkItem(raw: Raw, t: Translate, settings: LegalisationSettings, prefix = ''): Checked<RequestItem> {
  const errors: FieldError[] = [];
  const documentType = text(raw.documentType);
  const issuingCountry = text(raw.issuingCountry);
  const description = text(raw.description);
  const originals = count(raw.originals);
  const extraCopies = text(raw.extraCopies) === '' ? 0 : count(raw.extraCopies);
  const max = settings.maxCopiesPerItem;
  if (!settings.documentTypes.includes(documentType)) error(errors, `${prefix}documentType`, t('legalisation.err.documentType'));
  if (!issuingCountry) error(errors, `${prefix}issuingCountry`, t('legalisation.err.issuingCountry'));
  else if (issuingCountry.length > 60) error(errors, `${prefix}issuingCountry`, t('legalisation.err.tooLong', { max: 60 }));
  if (originals === null || originals < 1 || originals > max) error(errors, `${prefix}originals`, t('legalisation.err.originals', { max }));
  if (extraCopies === null || extraCopies > max) error(errors, `${prefix}extraCopies`, t('legalisation.err.extraCopies', { max }));
  if (!description) error(errors, `${prefix}description`, t('legalisation.err.descriptionRequired'));
  else if (description.length > 200) error(errors, `${prefix}description`, t('legalisation.err.tooLong', { max: 200 }));
  return errors.length
    ? { value: null, errors }
    : { value: { documentType, issuingCountry, originals: originals!, extraCopies: extraCopies!, description }, errors };
}

export function checkOptions(raw: Raw, t: Translate, settings: LegalisationSettings, prefix = ''): Checked<RequestOptions> {
  const errors: FieldError[] = [];
  const direction = text(raw.direction) as Direction;
  const serviceLevel = text(raw.serviceLevel) as ServiceLevel;
  const delivery = text(raw.delivery) as Delivery;
  const mailingAddress = text(raw.mailingAddress);
  if (!settings.directions.includes(direction)) error(errors, `${prefix}direction`, t('legalisation.err.direction'));
  if (!SERVICE_LEVELS.includes(serviceLevel)) error(errors, `${prefix}serviceLevel`, t('legalisation.err.serviceLevel'));
  if (!settings.delivery.includes(delivery)) error(errors, `${prefix}delivery`, t('legalisation.err.delivery'));
  if (delivery === 'mail') {
    if (!mailingAddress) error(errors, `${prefix}mailingAddress`, t('legalisation.err.mailingAddress'));
    else if (mailingAddress.length > 500) error(errors, `${prefix}mailingAddress`, t('legalisation.err.tooLong', { max: 500 }));
  }
  return errors.length
    ? { value: null, errors }
    : { value: { direction, serviceLevel, delivery, mailingAddress: delivery === 'mail' ? mailingAddress : null }, errors };
}
