import { normaliseDate, normaliseSurname } from '@app/status';
import { dateOfBirthFromParts, type FieldError, type Translate } from '@app/platform';
import { RELATIONSHIPS, type EmergencySettings, type Relationship } from './settings.js';

/** A report as the form or the JSON API sends it: every field is read as text, whatever its type. */
export type ReportInput = Record<string, unknown>;

export interface EmergencyReport {
  category: string;
  country: string;
  city: string;
  description: string;
  personName: string;
  relationship: Relationship;
  familyUpdatesConsent: boolean;
  reporterName: string;
  email: string | null;
  phone: string | null;
  surname: string;
  dateOfBirth: string;
  postCode: string;
}

export const REPORT_LIMITS = { short: 100, description: 4000 } as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ()-]{5,22}$/;

function text(input: ReportInput, name: string): string {
  const value = input[name];
  return typeof value === 'string' ? value.normalize('NFC').trim() : '';
}

/** The date of birth from the API's `dateOfBirth` (YYYY-MM-DD) or the page's day / month / year boxes. */
function dateOfBirthOf(input: ReportInput): string {
  const whole = text(input, 'dateOfBirth');
  if (whole) return whole;
  return dateOfBirthFromParts(input);
}

function consentOf(value: unknown): boolean | null {
  if (value === true || value === 'yes' || value === 'true') return true;
  if (value === false || value === 'no' || value === 'false') return false;
  return null;
}

/**
 * Checks a report and says, field by field and in the reader's language, what is wrong. The
 * post must be one of `postCodes` (those offering emergency help).
 */
export function validateReport(
  input: ReportInput,
  settings: EmergencySettings,
  postCodes: readonly string[],
  t: Translate,
): { report: EmergencyReport; errors: [] } | { report: null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const problem = (field: string, key: string) => errors.push({ field, messages: [t(`emergency.error.${key}`)] });
  const bounded = (field: string, max: number, required = true): string => {
    const value = text(input, field);
    if (required && !value) problem(field, `${field}.missing`);
    else if (value.length > max) problem(field, `${field}.tooLong`);
    return value;
  };

  const category = text(input, 'category');
  if (!settings.categories.includes(category)) problem('category', 'category.missing');
  const country = bounded('country', REPORT_LIMITS.short);
  const city = bounded('city', REPORT_LIMITS.short);
  const description = bounded('description', REPORT_LIMITS.description);
  const personName = bounded('personName', REPORT_LIMITS.short);
  const relationship = text(input, 'relationship');
  if (!(RELATIONSHIPS as readonly string[]).includes(relationship)) problem('relationship', 'relationship.missing');
  // Someone reporting about themselves needs no one's consent to hear about their own case.
  let consent = consentOf(input.familyUpdatesConsent);
  if (relationship === 'self') consent = true;
  else if (consent === null && (RELATIONSHIPS as readonly string[]).includes(relationship))
    problem('familyUpdatesConsent', 'consent.missing');

  const reporterName = bounded('reporterName', REPORT_LIMITS.short);
  const email = text(input, 'email');
  const phone = text(input, 'phone');
  if (!email && !phone) problem('email', 'contact.missing');
  if (email && (email.length > 254 || !EMAIL.test(email))) problem('email', 'email.invalid');
  if (phone && !PHONE.test(phone)) problem('phone', 'phone.invalid');
  const surname = normaliseSurname(text(input, 'surname'));
  if (!surname) problem('surname', 'surname.missing');
  const dateOfBirth = normaliseDate(dateOfBirthOf(input));
  if (!dateOfBirth) problem('dateOfBirth', 'dateOfBirth.invalid');
  const postCode = text(input, 'postCode');
  if (!postCodes.includes(postCode)) problem('postCode', 'postCode.missing');

  if (errors.length) return { report: null, errors };
  return {
    report: {
      category,
      country,
      city,
      description,
      personName,
      relationship: relationship as Relationship,
      familyUpdatesConsent: consent === true,
      reporterName,
      email: email || null,
      phone: phone || null,
      surname: surname!,
      dateOfBirth: dateOfBirth!,
      postCode,
    },
    errors: [],
  };
}
