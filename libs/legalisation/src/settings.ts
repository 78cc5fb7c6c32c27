import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '@app/platform';

export type ServiceLevel = 'regular' | 'express';
export type Delivery = 'pickup_at_post' | 'mail';
export type Direction = 'foreign_document_for_use_at_home' | 'home_document_for_use_abroad';

export const SERVICE_LEVELS: readonly ServiceLevel[] = ['regular', 'express'];

/** Fees, document types and appointment hours that policy may change: `libs/legalisation/data/legalisation.json`. */
export interface LegalisationSettings {
  feesTwd: Record<ServiceLevel, { perOriginal: number; perExtraCopy: number; workingDays: number }>;
  documentTypes: string[];
  directions: Direction[];
  delivery: Delivery[];
  maxItems: number;
  maxCopiesPerItem: number;
  /** Local wall-clock times at the post ("HH:MM"); slots run from the first to the last, inclusive. */
  slots: { firstLocalTime: string; lastLocalTime: string; everyMinutes: number; capacity: number; workingDaysAhead: number };
  draftLifetimeHours: number;
  /** Requests (each holding an appointment place) one IP address may submit in 24 hours. */
  bookingsPerIpPerDay: number;
}

export const LEGALISATION_SETTINGS = Symbol('LEGALISATION_SETTINGS');

export function loadLegalisationSettings(
  file = path.join(projectRoot(), 'libs/legalisation/data/legalisation.json'),
): LegalisationSettings {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as LegalisationSettings & { note?: string };
  delete raw.note;
  return raw;
}

export interface FeeItem {
  originals: number;
  extraCopies: number;
}

/** The fee in New Taiwan dollars: each original and each extra copy at the service level's rate. */
export function feeFor(settings: LegalisationSettings, level: ServiceLevel, items: readonly FeeItem[]): number {
  const rate = settings.feesTwd[level];
  return items.reduce((sum, item) => sum + item.originals * rate.perOriginal + item.extraCopies * rate.perExtraCopy, 0);
}
