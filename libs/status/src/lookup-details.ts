import { BlindIndex } from '@app/platform';

export interface LookupDetails {
  surname: string;
  /** YYYY-MM-DD. */
  dateOfBirth: string;
}

/**
 * The one normalisation of what an applicant types to find their case, used both when a case is
 * opened (`CaseSpine.openCase({ lookup })`) and by the status check before
 * `CaseSpine.lookupKey(reference, surname, dateOfBirth)`:
 * - surname: Unicode NFKC (full-width letters become ASCII), trimmed, runs of spaces collapsed,
 *   upper case. The blind index then also drops spaces and hyphens, so "van der Berg",
 *   "VAN-DER-BERG" and "ＶＡＮ ＤＥＲ ＢＥＲＧ" all match;
 * - date of birth: a real calendar date written YYYY-MM-DD.
 * Returns null when either part cannot be valid (nothing is looked up then).
 */
export function normaliseLookupDetails(surname: unknown, dateOfBirth: unknown): LookupDetails | null {
  const name = normaliseSurname(surname);
  const date = normaliseDate(dateOfBirth);
  return name && date ? { surname: name, dateOfBirth: date } : null;
}

export function normaliseSurname(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const name = value.normalize('NFKC').trim().replace(/\s+/g, ' ').toUpperCase();
  return name.length > 0 && name.length <= 100 && BlindIndex.normalise(name).length > 0 ? name : null;
}

/** "1990-4-1" or "1990-04-01" → "1990-04-01" when the date exists and is not in the future; else null. */
export function normaliseDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value.normalize('NFKC').trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  if (year < 1900 || date.getTime() > Date.now()) return null;
  return `${match[1]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
