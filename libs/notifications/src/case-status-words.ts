import type { Service } from '@app/cases';
import type { Translate } from '@app/platform';

/**
 * Statuses an applicant must hear about whatever they chose: decisions, requests for
 * information and "come and collect". Everything else is a progress update they can turn off.
 * The first event of a case (its receipt with the reference) and every emergency update are
 * essential too.
 */
export const ESSENTIAL_STATUSES: Readonly<Record<Service, readonly string[]>> = {
  evisa: ['INFO_REQUESTED', 'APPROVED', 'ISSUED', 'REFUSED', 'REVOKED'],
  passport: ['INFO_REQUESTED', 'REFUSED', 'READY_FOR_PICKUP'],
  legalisation: ['INFO_REQUESTED', 'READY_FOR_PICKUP', 'MAILED', 'REFUSED'],
  abtc: ['ISSUED', 'REFUSED'],
  emergency: [],
};

export interface EventFacts {
  seq: number;
  type: string;
  toStatus: string | null;
}

export function isEssentialEvent(service: Service, event: EventFacts): boolean {
  if (service === 'emergency' || event.seq === 1 || event.type === 'case.opened') return true;
  return event.toStatus !== null && ESSENTIAL_STATUSES[service].includes(event.toStatus);
}

export interface StatusWords {
  label: string;
  next: string;
}

/**
 * A status in plain words and what happens next, from the `caseStatus.<service>.<STATUS>.label`
 * and `.next` messages (every status of every state machine has both; a test checks).
 */
export function describeStatus(t: Translate, service: Service, status: string): StatusWords {
  const base = `caseStatus.${service}.${status}`;
  const label = t(`${base}.label`);
  if (label === `${base}.label`) return { label: t('caseStatus.unknown.label'), next: t('caseStatus.unknown.next') };
  return { label, next: t(`${base}.next`) };
}

/**
 * One line of the applicant's timeline: the new status for a status change; for other events
 * `caseStatus.event.<type>` when a library defines it, else a neutral "your case was updated".
 * Event payloads are never shown: they may hold what the applicant must not receive by email.
 */
export function describeEvent(t: Translate, service: Service, event: EventFacts): string {
  if (event.toStatus) return describeStatus(t, service, event.toStatus).label;
  const key = `caseStatus.event.${event.type}`;
  const text = t(key);
  return text === key ? t('caseStatus.event.update') : text;
}
