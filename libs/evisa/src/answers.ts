import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { addDays, addMonths, isRealDate } from './dates.js';
import { normaliseMrzLine, parseTd3 } from './mrz.js';
import type { EvisaSettings } from './settings.js';

/** Everything the applicant answers, keyed as in the API. All values are strings once normalised. */
export const ANSWER_FIELDS = [
  'nationality',
  'purpose',
  'passportType',
  'surname',
  'givenNames',
  'nativeName',
  'sex',
  'dateOfBirth',
  'placeOfBirth',
  'passportNumber',
  'issuingAuthority',
  'passportIssueDate',
  'passportExpiryDate',
  'email',
  'phone',
  'arrivalDate',
  'portOfEntry',
  'stayAddress',
  'occupation',
  'mrzLine1',
  'mrzLine2',
] as const;
export type AnswerField = (typeof ANSWER_FIELDS)[number];
export type Answers = Record<AnswerField, string | null>;

/** The form's questions, one page each, in order. Eligibility comes first and creates the draft. */
export const STEPS = {
  eligibility: ['nationality', 'purpose', 'passportType'],
  name: ['surname', 'givenNames', 'nativeName'],
  personal: ['sex', 'dateOfBirth', 'placeOfBirth'],
  passport: ['passportNumber', 'issuingAuthority', 'passportIssueDate', 'passportExpiryDate'],
  contact: ['email', 'phone'],
  travel: ['arrivalDate', 'portOfEntry'],
  stay: ['stayAddress', 'occupation'],
  mrz: ['mrzLine1', 'mrzLine2'],
} as const satisfies Record<string, readonly AnswerField[]>;
export type StepName = keyof typeof STEPS;
export const STEP_NAMES = Object.keys(STEPS) as StepName[];
export function isStepName(value: unknown): value is StepName {
  // Own keys only: `in` also finds `__proto__`, `constructor` and `toString`, which a URL can name.
  return typeof value === 'string' && Object.hasOwn(STEPS, value);
}

const OPTIONAL: ReadonlySet<AnswerField> = new Set(['givenNames', 'nativeName', 'mrzLine1', 'mrzLine2']);
export const SEXES = ['F', 'M', 'X'] as const;

const MAX_LENGTH: Record<AnswerField, number> = {
  nationality: 3,
  purpose: 40,
  passportType: 20,
  surname: 39,
  givenNames: 39,
  nativeName: 100,
  sex: 1,
  dateOfBirth: 10,
  placeOfBirth: 100,
  passportNumber: 9,
  issuingAuthority: 100,
  passportIssueDate: 10,
  passportExpiryDate: 10,
  email: 254,
  phone: 20,
  arrivalDate: 10,
  portOfEntry: 10,
  stayAddress: 300,
  occupation: 100,
  mrzLine1: 44,
  mrzLine2: 44,
};

/** A problem with one answer, as a message key (translated by the caller) and its parameters. */
export interface FieldIssue {
  field: string;
  key: string;
  params?: Record<string, string | number>;
}

/** Latin letters only, for the MRZ: A–Z, spaces, hyphens and apostrophes. */
const MRZ_NAME = /^[A-Z][A-Z' -]*$/;
const PASSPORT_NUMBER = /^[A-Z0-9]{5,9}$/;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function normalise(field: AnswerField, value: string): string {
  const trimmed = value.normalize('NFC').trim();
  switch (field) {
    case 'surname':
    case 'givenNames':
      return trimmed.replace(/\s+/g, ' ').toUpperCase();
    case 'passportNumber':
      return trimmed.replace(/[\s-]+/g, '').toUpperCase();
    case 'nationality':
    case 'portOfEntry':
    case 'sex':
      return trimmed.toUpperCase();
    case 'email':
      return trimmed.toLowerCase();
    case 'mrzLine1':
    case 'mrzLine2':
      return normaliseMrzLine(trimmed);
    case 'stayAddress':
      return trimmed.replace(/\r\n/g, '\n');
    default:
      return trimmed.replace(/\s+/g, ' ');
  }
}

export interface RuleContext {
  settings: EvisaSettings;
  /** Today in the country's time zone, YYYY-MM-DD. */
  today: string;
}

/**
 * Reads the given fields from untrusted input (a form or a JSON body), normalises them and checks
 * each one on its own. Returns the clean values and the problems; an empty optional answer is null.
 */
export function readFields(fields: readonly AnswerField[], input: Record<string, unknown>, ctx: RuleContext) {
  const values: Partial<Answers> = {};
  const issues: FieldIssue[] = [];
  for (const field of fields) {
    const raw = input[field];
    if (raw !== undefined && raw !== null && typeof raw !== 'string') {
      issues.push({ field, key: 'evisa.err.type' });
      continue;
    }
    const value = normalise(field, raw ?? '');
    if (value === '') {
      if (OPTIONAL.has(field)) values[field] = null;
      else issues.push({ field, key: 'evisa.err.required' });
      continue;
    }
    if (value.length > MAX_LENGTH[field]) {
      issues.push({ field, key: 'evisa.err.tooLong', params: { max: MAX_LENGTH[field] } });
      continue;
    }
    if (CONTROL_CHARS.test(value)) {
      issues.push({ field, key: 'evisa.err.characters' });
      continue;
    }
    const problem = checkOne(field, value, ctx);
    if (problem) issues.push({ field, ...problem });
    else values[field] = field === 'phone' ? parsePhoneNumberFromString(value)!.number : value;
  }
  return { values, issues };
}

function checkOne(field: AnswerField, value: string, { settings, today }: RuleContext): Omit<FieldIssue, 'field'> | null {
  switch (field) {
    case 'nationality':
      if (!/^[A-Z]{3}$/.test(value)) return { key: 'evisa.err.nationality' };
      if (!settings.eligibleNationalities.includes(value)) return { key: 'evisa.err.nationalityNotEligible' };
      return null;
    case 'purpose':
      return settings.purposes.includes(value) ? null : { key: 'evisa.err.choice' };
    case 'passportType':
      if (settings.passportTypesRefused.includes(value)) return { key: 'evisa.err.passportTypeRefused' };
      return settings.passportTypesAccepted.includes(value) ? null : { key: 'evisa.err.choice' };
    case 'surname':
    case 'givenNames':
      return MRZ_NAME.test(value) ? null : { key: 'evisa.err.latinName' };
    case 'sex':
      return (SEXES as readonly string[]).includes(value) ? null : { key: 'evisa.err.choice' };
    case 'dateOfBirth':
      if (!isRealDate(value)) return { key: 'evisa.err.date' };
      if (value >= today) return { key: 'evisa.err.dateOfBirthFuture' };
      if (value < '1900-01-01') return { key: 'evisa.err.dateTooEarly' };
      return null;
    case 'passportIssueDate':
      if (!isRealDate(value)) return { key: 'evisa.err.date' };
      return value > today ? { key: 'evisa.err.issueFuture' } : null;
    case 'passportExpiryDate':
      if (!isRealDate(value)) return { key: 'evisa.err.date' };
      return value <= today ? { key: 'evisa.err.expiryPast' } : null;
    case 'arrivalDate':
      if (!isRealDate(value)) return { key: 'evisa.err.date' };
      if (value <= today) return { key: 'evisa.err.arrivalPast' };
      if (value > addDays(today, settings.arrivalWindowDays))
        return { key: 'evisa.err.arrivalTooFar', params: { days: settings.arrivalWindowDays } };
      return null;
    case 'passportNumber':
      return PASSPORT_NUMBER.test(value) ? null : { key: 'evisa.err.passportNumber' };
    case 'email':
      return EMAIL.test(value) ? null : { key: 'evisa.err.email' };
    case 'phone': {
      if (!value.startsWith('+')) return { key: 'evisa.err.phone' };
      const phone = parsePhoneNumberFromString(value);
      return phone?.isValid() ? null : { key: 'evisa.err.phone' };
    }
    case 'portOfEntry':
      return settings.portsOfEntry.some((p) => p.code === value) ? null : { key: 'evisa.err.choice' };
    case 'mrzLine1':
    case 'mrzLine2':
      if (value.length !== 44) return { key: 'evisa.err.mrzLength' };
      return /^[A-Z0-9<]+$/.test(value) ? null : { key: 'evisa.err.mrzCharacters' };
    default:
      return null;
  }
}

/**
 * Rules between answers, checked whenever both sides are known: birth < issue < today < expiry,
 * the passport valid long enough after arrival, and a pasted MRZ with good check digits.
 */
export function crossCheck(answers: Partial<Answers>, ctx: RuleContext, only?: readonly AnswerField[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const blame = (fields: AnswerField[]): AnswerField => (only ? (fields.find((f) => only.includes(f)) ?? fields[0]!) : fields[0]!);
  const { dateOfBirth: birth, passportIssueDate: issue, passportExpiryDate: expiry, arrivalDate: arrival } = answers;
  if (birth && issue && issue <= birth)
    issues.push({ field: blame(['passportIssueDate', 'dateOfBirth']), key: 'evisa.err.issueBeforeBirth' });
  if (issue && expiry && expiry <= issue)
    issues.push({ field: blame(['passportExpiryDate', 'passportIssueDate']), key: 'evisa.err.expiryBeforeIssue' });
  if (arrival && expiry && expiry < addMonths(arrival, ctx.settings.passportMinValidityMonths)) {
    issues.push({
      field: blame(['passportExpiryDate', 'arrivalDate']),
      key: 'evisa.err.passportValidity',
      params: { months: ctx.settings.passportMinValidityMonths },
    });
  }
  if (answers.mrzLine1 || answers.mrzLine2) {
    if (!answers.mrzLine1 || !answers.mrzLine2) {
      issues.push({ field: answers.mrzLine1 ? 'mrzLine2' : 'mrzLine1', key: 'evisa.err.mrzBothLines' });
    } else {
      const parsed = parseTd3(answers.mrzLine1, answers.mrzLine2);
      if (parsed.formatErrors.includes('documentCode')) issues.push({ field: 'mrzLine1', key: 'evisa.err.mrzNotPassport' });
      if (parsed.badCheckDigits.length) {
        issues.push({ field: 'mrzLine2', key: 'evisa.err.mrzCheckDigit', params: { fields: parsed.badCheckDigits.join(', ') } });
      }
    }
  }
  return only ? issues.filter((i) => (only as readonly string[]).includes(i.field)) : issues;
}

/** Required answers still missing, for the check-your-answers page and the submission. */
export function missingAnswers(answers: Partial<Answers>): AnswerField[] {
  return ANSWER_FIELDS.filter((field) => !OPTIONAL.has(field) && !answers[field]);
}

/** The first page of the form that still needs an answer, or null when all are given. */
export function firstIncompleteStep(answers: Partial<Answers>): StepName | null {
  const missing = new Set(missingAnswers(answers));
  return STEP_NAMES.find((step) => step !== 'mrz' && STEPS[step].some((f) => missing.has(f))) ?? null;
}
