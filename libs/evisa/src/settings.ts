import fs from 'node:fs';
import path from 'node:path';
import { type Locale, projectRoot } from '@app/platform';

export interface PortOfEntry {
  code: string;
  en: string;
  'zh-Hant': string;
}

/** Every eVisa rule and figure that policy may change; loaded from `libs/evisa/data/evisa.json`. */
export interface EvisaSettings {
  feeAmount: number;
  currency: string;
  purposes: string[];
  eligibleNationalities: string[];
  passportTypesAccepted: string[];
  passportTypesRefused: string[];
  passportMinValidityMonths: number;
  validityMonths: number;
  entries: string;
  stayDays: number;
  /** Arrival must be after today and at most this many days ahead (see README of the lib). */
  arrivalWindowDays: number;
  draftLifetimeDays: number;
  reviewSlaWorkingDays: number;
  /** The country's time zone: "today" for date rules, and the visa's validity dates. */
  timeZone: string;
  defaultPostCode: string;
  /** Explicit nationality → post code choices; otherwise the post in the applicant's country, else the default. */
  postByNationality: Record<string, string>;
  portsOfEntry: PortOfEntry[];
}

export const EVISA_SETTINGS = Symbol('EVISA_SETTINGS');

export function loadEvisaSettings(file = path.join(projectRoot(), 'libs/evisa/data/evisa.json')): EvisaSettings {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as EvisaSettings & { note?: string };
  delete raw.note;
  return raw;
}

export function portName(settings: EvisaSettings, code: string | null, locale: Locale): string {
  const port = settings.portsOfEntry.find((p) => p.code === code);
  return port ? port[locale] : (code ?? '');
}
