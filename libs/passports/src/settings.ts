import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '@app/platform';

export type PassportKind = 'first_issue' | 'renewal' | 'replacement_lost' | 'replacement_damaged';
export type AgeBand = 'adult' | 'child';
export type Currency = 'TWD' | 'USD';

export const PASSPORT_KINDS: readonly PassportKind[] = ['first_issue', 'renewal', 'replacement_lost', 'replacement_damaged'];

/** Fees, validity and limits that policy may change: `libs/passports/data/passports.json`. */
export interface PassportSettings {
  kinds: PassportKind[];
  /** At HQ (at home) in New Taiwan dollars; at a post abroad in US dollars. */
  fees: Record<Currency, Record<AgeBand, number>>;
  validityYears: Record<AgeBand, number>;
  /** Applicants younger than this on the day they apply get a child's passport. */
  childUnderAge: number;
  photo: { maxBytes: number; minWidth: number; minHeight: number; ratio: number; tolerance: number };
  draftLifetimeHours: number;
  applicationsPerIpPerDay: number;
}

export const PASSPORT_SETTINGS = Symbol('PASSPORT_SETTINGS');

export function loadPassportSettings(file = path.join(projectRoot(), 'libs/passports/data/passports.json')): PassportSettings {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as PassportSettings & { note?: string };
  delete raw.note;
  return raw;
}

/** Whole years between a date of birth and a day (both YYYY-MM-DD). */
export function ageOn(dateOfBirth: string, day: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export interface Fee {
  ageBand: AgeBand;
  validityYears: number;
  amount: number;
  currency: Currency;
}

/** The fee and validity: by age on the day of application, in TWD at home (an HQ post) and USD abroad. */
export function feeFor(settings: PassportSettings, dateOfBirth: string, today: string, atHome: boolean): Fee {
  const ageBand: AgeBand = ageOn(dateOfBirth, today) < settings.childUnderAge ? 'child' : 'adult';
  const currency: Currency = atHome ? 'TWD' : 'USD';
  return { ageBand, validityYears: settings.validityYears[ageBand], amount: settings.fees[currency][ageBand], currency };
}
