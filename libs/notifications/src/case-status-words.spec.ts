import { loadCatalogues, Messages } from '@app/platform';
import { describeEvent, describeStatus, isEssentialEvent } from './case-status-words.js';

// Every status's words and every essential status are checked for each real service by the catalogue (libs/catalogue).
const decided = { essentialStatuses: ['APPROVED', 'REFUSED'] };
const everything = { essentialStatuses: 'every' as const };

describe('case status in plain words', () => {
  const catalogues = loadCatalogues();
  const messages = new Messages(catalogues);

  it('treats decisions and receipts as essential and progress as optional', () => {
    expect(isEssentialEvent(decided, { seq: 4, type: 'status.changed', toStatus: 'APPROVED' })).toBe(true);
    expect(isEssentialEvent(decided, { seq: 1, type: 'case.opened', toStatus: 'SUBMITTED' })).toBe(true);
    expect(isEssentialEvent(decided, { seq: 2, type: 'status.changed', toStatus: 'IN_REVIEW' })).toBe(false);
    expect(isEssentialEvent(everything, { seq: 3, type: 'contact.logged', toStatus: null })).toBe(true);
  });

  it('describes events without exposing their payload, with a neutral fallback', () => {
    const zh = messages.translator('zh-Hant');
    expect(describeStatus(zh, 'legalisation', 'MAILED').label).toBe('文件已寄出');
    expect(describeStatus(zh, 'legalisation', 'NO_SUCH_STATUS').label).toBe('處理中');
    expect(describeEvent(messages.translator('en'), 'abtc', { seq: 5, type: 'abtc.clearance', toStatus: null })).toBe(
      'Your case was updated',
    );
  });
});
