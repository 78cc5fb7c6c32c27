import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '@app/platform';

export interface Economy {
  code: string;
  name: string;
  nameZh: string;
  /** Full members give pre-clearance; transitional members give none (their clearance is N/A). */
  member: 'full' | 'transitional';
}

/** The scheme's rules that policy may change: `libs/abtc/data/abtc.json`. */
export interface AbtcSettings {
  /** The economy that issues the card; it vets its own applicants and is not in its own clearance list. */
  homeEconomy: string;
  /** The post whose queue does the home check. */
  processingPost: string;
  cardValidityYears: number;
  feeTwd: number;
  typicalPreClearanceDays: [number, number];
  requiredDocuments: string[];
  /** Applications one IP address may submit in 24 hours. */
  submissionsPerIpPerDay: number;
  draftLifetimeHours: number;
  economies: Economy[];
}

export const ABTC_SETTINGS = Symbol('ABTC_SETTINGS');

export function loadAbtcSettings(file = path.join(projectRoot(), 'libs/abtc/data/abtc.json')): AbtcSettings {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as AbtcSettings & { note?: string };
  delete raw.note;
  return raw;
}

/** The economies asked for pre-clearance: every member but the home economy. */
export function clearanceEconomies(settings: AbtcSettings): Economy[] {
  return settings.economies.filter((economy) => economy.code !== settings.homeEconomy);
}

/**
 * The card's last day: `cardValidityYears` after the issue date, or the passport's expiry if that
 * is sooner. Dates are YYYY-MM-DD.
 */
export function cardValidUntil(settings: AbtcSettings, issuedOn: string, passportExpiry: string): string {
  const [year, month, day] = issuedOn.split('-').map(Number) as [number, number, number];
  const end = new Date(Date.UTC(year + settings.cardValidityYears, month - 1, day));
  // 29 February plus whole years lands on 1 March; the card then ends on 28 February.
  if (end.getUTCMonth() !== month - 1) end.setUTCDate(0);
  const fiveYears = end.toISOString().slice(0, 10);
  return passportExpiry < fiveYears ? passportExpiry : fiveYears;
}

export function economyName(economy: Economy, locale: string): string {
  return locale === 'zh-Hant' ? economy.nameZh : economy.name;
}
