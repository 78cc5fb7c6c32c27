import { defineStateMachine } from '@app/cases';
import { loadCatalogues, Messages } from '@app/platform';
import { statusLabeller } from './status-labels.js';

/** Just the statuses these checks look up, under the ids of real services (their words are in the real messages). */
const machine = (service: string, statuses: string[]) =>
  defineStateMachine({ service, initial: [], queue: [], decisions: {}, transitions: Object.fromEntries(statuses.map((s) => [s, []])) });
const MACHINES = [machine('evisa', ['SUBMITTED', 'IN_REVIEW']), machine('abtc', ['DOMESTIC_REVIEW']), machine('emergency', ['TRIAGED'])];

describe('status labels on officer pages', () => {
  const messages = new Messages(loadCatalogues());
  const en = statusLabeller(messages.translator('en'), MACHINES);
  const zh = statusLabeller(messages.translator('zh-Hant'), MACHINES);

  it("names a status in its service's words, in the page's language", () => {
    expect(en('passport', 'IN_REVIEW')).toBe('Being checked');
    expect(zh('evisa', 'IN_REVIEW')).toBe('審查中');
  });

  it('without a service, uses the first service that has the status, and a neutral word for an unknown one', () => {
    expect(en(undefined, 'IN_REVIEW')).toBe('Being reviewed');
    expect(en(null, 'DOMESTIC_REVIEW')).toBe('Home check in progress');
    expect(zh(undefined, 'TRIAGED')).toBe('評估中');
    expect(en(undefined, 'NO_SUCH_STATUS')).toBe('In progress');
  });
});
