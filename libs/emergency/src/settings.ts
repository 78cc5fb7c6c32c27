import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '@app/platform';

export const RELATIONSHIPS = ['self', 'family', 'friend', 'other'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

export const CONTACT_CHANNELS = ['phone', 'email', 'in_person', 'other'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

export const PRIORITIES = [1, 2, 3, 4] as const;

/** Every emergency rule and figure that policy may change; loaded from `libs/emergency/data/emergency.json`. */
export interface EmergencySettings {
  /** The 24-hour, toll-free emergency line: a life-threatening emergency calls it rather than filling in a form. */
  hotline: string;
  categories: string[];
  /** The priority a report starts with until an officer triages it (1 = P1, most urgent). */
  defaultPriorityByCategory: Record<string, number>;
  /** How soon an officer must first contact the reporter, by priority. */
  firstContactMinutes: Record<string, number>;
  /** Updates about someone else go to the reporter only with that person's consent. */
  familyUpdatesRequireConsent: boolean;
  reportsPerIpPerHour: number;
}

export const EMERGENCY_SETTINGS = Symbol('EMERGENCY_SETTINGS');

export function loadEmergencySettings(file = path.join(projectRoot(), 'libs/emergency/data/emergency.json')): EmergencySettings {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as EmergencySettings & { note?: string };
  delete raw.note;
  return raw;
}

/** When first contact is due for a report made at `reportedAt` with this priority. */
export function firstContactDue(settings: EmergencySettings, reportedAt: Date, priority: number): Date {
  const minutes = settings.firstContactMinutes[String(priority)] ?? settings.firstContactMinutes['2']!;
  return new Date(reportedAt.getTime() + minutes * 60_000);
}
