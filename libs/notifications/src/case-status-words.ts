import type { ServiceDefinition } from '@app/cases';
import type { Translate } from '@app/platform';

export interface EventFacts {
  seq: number;
  type: string;
  toStatus: string | null;
}

/**
 * Whether the applicant hears of an event whatever they chose: the first event of a case (its
 * receipt with the reference) and a change to a status the service declares essential (decisions,
 * requests for information, "come and collect"). Everything else is a progress update they can turn off.
 */
export function isEssentialEvent(service: Pick<ServiceDefinition, 'essentialStatuses'>, event: EventFacts): boolean {
  if (service.essentialStatuses === 'every' || event.seq === 1 || event.type === 'case.opened') return true;
  return event.toStatus !== null && service.essentialStatuses.includes(event.toStatus);
}

export interface StatusWords {
  label: string;
  next: string;
}

/**
 * A status in plain words and what happens next, from the `caseStatus.<service>.<STATUS>.label`
 * and `.next` messages (every status of every state machine has both; a test checks).
 */
export function describeStatus(t: Translate, service: string, status: string): StatusWords {
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
export function describeEvent(t: Translate, service: string, event: EventFacts): string {
  if (event.toStatus) return describeStatus(t, service, event.toStatus).label;
  const key = `caseStatus.event.${event.type}`;
  const text = t(key);
  return text === key ? t('caseStatus.event.update') : text;
}
