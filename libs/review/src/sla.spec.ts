import type { SlaRule } from '@app/cases';
import { addWorkingDays, SlaCalculator, zonedToUtc } from './sla.js';

const THREE_DAYS: SlaRule = { kind: 'workingDays', days: 3 };
const TWO_DAYS: SlaRule = { kind: 'workingDays', days: 2 };
const BY_PRIORITY: SlaRule = { kind: 'minutesByPriority', minutes: { 1: 60, 2: 240, 3: 1440, 4: 2880 }, otherwise: 240 };

describe('SLA in working days, in the post time zone', () => {
  const sla = new SlaCalculator();

  it('skips the weekend in Asia/Taipei (UTC+8, no DST)', () => {
    // Friday 2026-11-27 15:00 in Taipei = 07:00Z; 3 working days → Wednesday 2026-12-02 15:00 Taipei.
    const due = sla.dueAt(THREE_DAYS, new Date('2026-11-27T07:00:00Z'), { code: 'HQ-TPE', timeZone: 'Asia/Taipei' });
    expect(due.toISOString()).toBe('2026-12-02T07:00:00.000Z');
  });

  it('skips the weekend in America/Los_Angeles across the start of daylight saving time', () => {
    // Friday 2026-03-06 15:00 PST = 23:00Z; DST starts Sunday 2026-03-08; due Wednesday 15:00 PDT = 22:00Z.
    const due = sla.dueAt(THREE_DAYS, new Date('2026-03-06T23:00:00Z'), { code: 'US-LAX', timeZone: 'America/Los_Angeles' });
    expect(due.toISOString()).toBe('2026-03-11T22:00:00.000Z');
  });

  it('counts work that arrives at the weekend from Monday morning', () => {
    // Saturday 2026-11-28 10:00 Taipei; 2 working days from Monday 09:00 → Wednesday 09:00 = 01:00Z.
    const due = sla.dueAt(TWO_DAYS, new Date('2026-11-28T02:00:00Z'), { code: 'HQ-TPE', timeZone: 'Asia/Taipei' });
    expect(due.toISOString()).toBe('2026-12-02T01:00:00.000Z');
  });

  it('a Friday evening in Los Angeles is already Saturday in Taipei', () => {
    const friday = new Date('2026-11-28T03:00:00Z'); // Fri 19:00 in LA, Sat 11:00 in Taipei
    expect(sla.dueAt(THREE_DAYS, friday, { code: 'US-LAX', timeZone: 'America/Los_Angeles' }).toISOString()).toBe(
      '2026-12-03T03:00:00.000Z',
    );
    expect(sla.dueAt(THREE_DAYS, friday, { code: 'HQ-TPE', timeZone: 'Asia/Taipei' }).toISOString()).toBe('2026-12-03T01:00:00.000Z');
  });

  it('uses the holiday hook', () => {
    const holidays = (post: string, date: string) => post === 'HQ-TPE' && date === '2026-12-01';
    const due = addWorkingDays(new Date('2026-11-27T07:00:00Z'), 3, 'Asia/Taipei', 'HQ-TPE', holidays);
    expect(due.toISOString()).toBe('2026-12-03T07:00:00.000Z');
  });

  it('gives emergencies minutes by priority', () => {
    const from = new Date('2026-11-27T07:00:00Z');
    expect(sla.dueAt(BY_PRIORITY, from, { code: 'HQ-TPE', timeZone: 'Asia/Taipei' }, 1).toISOString()).toBe('2026-11-27T08:00:00.000Z');
  });

  it('converts wall time to UTC in a DST gap-free way', () => {
    expect(zonedToUtc({ year: 2026, month: 7, day: 1, hour: 9, minute: 0, second: 0 }, 'Europe/London').toISOString()).toBe(
      '2026-07-01T08:00:00.000Z',
    );
  });
});
