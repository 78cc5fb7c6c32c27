import { SystemClock } from '@app/platform';
import { feeFor, loadLegalisationSettings } from './settings.js';
import { AppointmentSlots } from './slots.js';

describe('document authentication fees and slots', () => {
  const settings = loadLegalisationSettings();

  it('charges each original and each extra copy at the service level rate (services.json)', () => {
    const items = [
      { originals: 2, extraCopies: 1 },
      { originals: 1, extraCopies: 0 },
    ];
    expect(feeFor(settings, 'regular', items)).toBe(3 * 400 + 1 * 200);
    expect(feeFor(settings, 'express', items)).toBe(3 * 600 + 1 * 300);
  });

  it('offers slots on working days only, at local office hours in the post time zone', () => {
    const slots = new AppointmentSlots(null as never, new SystemClock(), settings);
    // Friday 2026-11-27, 15:00 in Los Angeles: the next working days are Monday 30 November onwards.
    const times = slots.slotTimes({ code: 'US-LAX', timeZone: 'America/Los_Angeles' }, new Date('2026-11-27T23:00:00Z'));
    expect(times).toHaveLength(settings.slots.workingDaysAhead * 6);
    const local = times.map((t) => slots.describe({ id: '1', starts_at: t }, 'America/Los_Angeles'));
    expect(local.slice(0, 6).map((s) => `${s.localDate} ${s.localTime}`)).toEqual([
      '2026-11-30 09:00',
      '2026-11-30 09:30',
      '2026-11-30 10:00',
      '2026-11-30 10:30',
      '2026-11-30 11:00',
      '2026-11-30 11:30',
    ]);
    const weekdays = new Set(local.map((s) => new Date(`${s.localDate}T12:00:00Z`).getUTCDay()));
    expect(weekdays.has(0) || weekdays.has(6)).toBe(false);
    expect(times[0]!.toISOString()).toBe('2026-11-30T17:00:00.000Z');
  });
});
