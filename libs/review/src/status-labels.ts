import type { StateMachine } from '@app/cases';
import { describeStatus } from '@app/notifications';
import type { Translate } from '@app/platform';

export type StatusLabel = (service: string | null | undefined, status: string) => string;

/**
 * How the officer pages name a status: in the plain words applicants read
 * (`caseStatus.<service>.<STATUS>.label`), in the page's language; the pages keep the code as the
 * tag's title. The queue's counts group statuses across services, so without a service the words
 * are those of the first service whose state machine has the status.
 */
export function statusLabeller(t: Translate, machines: readonly StateMachine[]): StatusLabel {
  return (service, status) => {
    const owner = service || machines.find((machine) => status in machine.transitions)?.service || 'unknown';
    return describeStatus(t, owner, status).label;
  };
}
