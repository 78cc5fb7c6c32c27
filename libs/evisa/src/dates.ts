/** Calendar dates as `YYYY-MM-DD` strings: what applicants type and what passports print. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True only for a date that exists: 2025-02-30 and 2025-13-01 are refused. */
export function isRealDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Today's date in a time zone. */
export function todayIn(timeZone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

function toUtc(date: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day));
}

function fromUtc(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const d = toUtc(date);
  d.setUTCDate(d.getUTCDate() + days);
  return fromUtc(d);
}

/** Adds calendar months; a day that does not exist in the target month becomes its last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const d = toUtc(date);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return fromUtc(target);
}

/**
 * `days` working days (Monday to Friday, in the post's time zone) after `from`, at the same time
 * of day. Public holidays are not counted yet: the shared SLA calculator will replace this.
 */
export function addWorkingDays(from: Date, days: number, timeZone: string): Date {
  const weekday = (d: Date) => new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' }).format(d);
  const result = new Date(from);
  let added = 0;
  while (added < days) {
    result.setTime(result.getTime() + 24 * 3600 * 1000);
    if (!['Sat', 'Sun'].includes(weekday(result))) added++;
  }
  return result;
}
