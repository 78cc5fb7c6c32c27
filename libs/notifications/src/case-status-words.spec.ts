import { SERVICES, STATE_MACHINES } from '@app/cases';
import { LOCALES, loadCatalogues, Messages } from '@app/platform';
import { describeEvent, describeStatus, ESSENTIAL_STATUSES, isEssentialEvent } from './case-status-words.js';

describe('case status in plain words', () => {
  const catalogues = loadCatalogues();
  const messages = new Messages(catalogues);

  it('has a label and a next step for every status of every service, in both languages', () => {
    const missing: string[] = [];
    for (const service of SERVICES) {
      for (const status of Object.keys(STATE_MACHINES[service].transitions)) {
        for (const locale of LOCALES) {
          for (const part of ['label', 'next']) {
            const key = `caseStatus.${service}.${status}.${part}`;
            if (!catalogues[locale][key]) missing.push(`${locale} ${key}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('declares essential statuses that exist', () => {
    for (const service of SERVICES) {
      for (const status of ESSENTIAL_STATUSES[service]) expect(Object.keys(STATE_MACHINES[service].transitions)).toContain(status);
    }
  });

  it('treats decisions and receipts as essential and progress as optional', () => {
    expect(isEssentialEvent('evisa', { seq: 4, type: 'status.changed', toStatus: 'APPROVED' })).toBe(true);
    expect(isEssentialEvent('passport', { seq: 1, type: 'case.opened', toStatus: 'SUBMITTED' })).toBe(true);
    expect(isEssentialEvent('passport', { seq: 2, type: 'status.changed', toStatus: 'IN_REVIEW' })).toBe(false);
    expect(isEssentialEvent('emergency', { seq: 3, type: 'contact.logged', toStatus: null })).toBe(true);
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
