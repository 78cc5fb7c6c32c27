import { loadCatalogues, Messages } from '@app/platform';
import { statusLabeller } from './status-labels.js';

describe('status labels on officer pages', () => {
  const messages = new Messages(loadCatalogues());
  const en = statusLabeller(messages.translator('en'));
  const zh = statusLabeller(messages.translator('zh-Hant'));

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
