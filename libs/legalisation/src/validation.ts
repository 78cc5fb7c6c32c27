import type { Locale } from '@app/platform';
import type { Delivery, Direction, ServiceLevel } from './settings.js';

/** What a request holds once its DTOs (dto.ts) have read it. */

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

export function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}
