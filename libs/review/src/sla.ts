import type { SlaRule } from '@app/cases';

/** A day on which the post does not work, besides weekends: the post's holiday calendar plugs in here. */
export type HolidayCalendar = (postCode: string, localDate: string) => boolean;

export const NO_HOLIDAYS: HolidayCalendar = () => false;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Making an Intl.DateTimeFormat costs far more than using one: one per time zone is kept. */
const partFormats = new Map<string, Intl.DateTimeFormat>();

function partFormat(timeZone: string): Intl.DateTimeFormat {
  let format = partFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    partFormats.set(timeZone, format);
  }
  return format;
}

export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts = Object.fromEntries(
    partFormat(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday!),
  };
}

/** The instant at which the wall clock in `timeZone` shows the given local time. */
export function zonedToUtc(local: Omit<LocalParts, 'weekday'>, timeZone: string): Date {
  const asIfUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  // Two passes settle the offset even when the guess lands on the other side of a DST change.
  let guess = asIfUtc;
  for (let i = 0; i < 2; i++) {
    const shown = localParts(new Date(guess), timeZone);
    const shownAsUtc = Date.UTC(shown.year, shown.month - 1, shown.day, shown.hour, shown.minute, shown.second);
    guess += asIfUtc - shownAsUtc;
  }
  return new Date(guess);
}

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Adds working days in the post's own time zone: the due time is the same local time of day,
 * `days` working days later, skipping weekends and the post's holidays. Work arriving on a
 * non-working day counts from the start of the next working day.
 */
export function addWorkingDays(
  start: Date,
  days: number,
  timeZone: string,
  postCode: string,
  holidays: HolidayCalendar = NO_HOLIDAYS,
): Date {
  const local = localParts(start, timeZone);
  const isWorking = (y: number, m: number, d: number) => {
    const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    return weekday !== 0 && weekday !== 6 && !holidays(postCode, isoDate(y, m, d));
  };
  let cursor = new Date(Date.UTC(local.year, local.month - 1, local.day));
  let time = { hour: local.hour, minute: local.minute, second: local.second };
  if (!isWorking(local.year, local.month, local.day)) {
    time = { hour: 9, minute: 0, second: 0 };
    do cursor = new Date(cursor.getTime() + 86_400_000);
    while (!isWorking(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, cursor.getUTCDate()));
  }
  let remaining = days;
  while (remaining > 0) {
    cursor = new Date(cursor.getTime() + 86_400_000);
    if (isWorking(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1, cursor.getUTCDate())) remaining--;
  }
  return zonedToUtc({ year: cursor.getUTCFullYear(), month: cursor.getUTCMonth() + 1, day: cursor.getUTCDate(), ...time }, timeZone);
}

/** When work is due under a service's SLA rule (ServiceDefinition.sla), in the post's calendar. */
export class SlaCalculator {
  constructor(private readonly holidays: HolidayCalendar = NO_HOLIDAYS) {}

  dueAt(rule: SlaRule, from: Date, post: { code: string; timeZone: string }, priority = 3): Date {
    switch (rule.kind) {
      case 'minutes':
        return new Date(from.getTime() + rule.minutes * 60_000);
      case 'minutesByPriority':
        return new Date(from.getTime() + (rule.minutes[priority] ?? rule.otherwise) * 60_000);
      case 'workingDays':
        return addWorkingDays(from, rule.days, post.timeZone, post.code, this.holidays);
    }
  }
}
