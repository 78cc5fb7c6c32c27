/** The three fields of the `dateOfBirth` form macro (views/macros/forms.njk). */
export interface DateOfBirthParts {
  dobDay: string;
  dobMonth: string;
  dobYear: string;
}

const part = (form: Record<string, unknown>, name: keyof DateOfBirthParts): string => {
  const value = form[name];
  return typeof value === 'string' ? value.normalize('NFKC').trim() : '';
};

/**
 * The day, month and year a page posted, as `YYYY-MM-DD` for the service's own date rules to check
 * (an impossible date stays impossible); '' when all three are empty, so the field counts as missing.
 */
export function dateOfBirthFromParts(form: Record<string, unknown>): string {
  const [day, month, year] = (['dobDay', 'dobMonth', 'dobYear'] as const).map((name) => part(form, name));
  if (!day && !month && !year) return '';
  return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

/** A stored `YYYY-MM-DD` spread into the three fields again, to show a form filled in. */
export function dateOfBirthParts(date: string | undefined): DateOfBirthParts {
  const [year = '', month = '', day = ''] = /^\d{4}-\d{2}-\d{2}$/.test(date ?? '') ? date!.split('-') : [];
  return { dobDay: day.replace(/^0/, ''), dobMonth: month.replace(/^0/, ''), dobYear: year };
}
