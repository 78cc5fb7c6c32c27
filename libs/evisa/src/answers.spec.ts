import { crossCheck, firstIncompleteStep, isStepName, readFields, type RuleContext } from './answers.js';
import { addMonths, isRealDate } from './dates.js';
import { loadEvisaSettings } from './settings.js';

const ctx: RuleContext = { settings: loadEvisaSettings(), today: '2026-03-10' };
const keysOf = (fields: Parameters<typeof readFields>[0], input: Record<string, unknown>) =>
  readFields(fields, input, ctx).issues.map((i) => `${i.field}:${i.key}`);

describe('eVisa answers', () => {
  it('knows its steps, and nothing an object inherits', () => {
    expect(['eligibility', 'name', 'mrz'].map(isStepName)).toEqual([true, true, true]);
    expect(['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'Name'].map(isStepName)).toEqual(Array(6).fill(false));
  });

  it('accepts only real dates', () => {
    expect(isRealDate('2024-02-29')).toBe(true);
    expect(isRealDate('2025-02-29')).toBe(false);
    expect(isRealDate('2025-02-30')).toBe(false);
    expect(isRealDate('2025-13-01')).toBe(false);
    expect(isRealDate('25-01-01')).toBe(false);
  });

  it('adds months without overflowing into the next month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-03-10', 3)).toBe('2026-06-10');
  });

  it('refuses ineligible nationalities and emergency or temporary passports', () => {
    expect(
      keysOf(['nationality', 'purpose', 'passportType'], { nationality: 'USA', purpose: 'tourism', passportType: 'emergency' }),
    ).toEqual(['nationality:evisa.err.nationalityNotEligible', 'passportType:evisa.err.passportTypeRefused']);
    expect(keysOf(['passportType'], { passportType: 'temporary' })).toEqual(['passportType:evisa.err.passportTypeRefused']);
    expect(
      keysOf(['nationality', 'purpose', 'passportType'], { nationality: 'phl', purpose: 'business', passportType: 'official' }),
    ).toEqual([]);
  });

  it('gives each invalid form of a field its own problem', () => {
    expect(keysOf(['surname'], { surname: '' })).toEqual(['surname:evisa.err.required']);
    expect(keysOf(['surname'], { surname: 42 })).toEqual(['surname:evisa.err.type']);
    expect(keysOf(['surname'], { surname: 'A'.repeat(40) })).toEqual(['surname:evisa.err.tooLong']);
    expect(keysOf(['surname'], { surname: '陳' })).toEqual(['surname:evisa.err.latinName']);
    expect(keysOf(['surname'], { surname: 'Müller' })).toEqual(['surname:evisa.err.latinName']);
    expect(keysOf(['surname', 'givenNames'], { surname: "o'brien-smith", givenNames: '' })).toEqual([]);
    expect(keysOf(['dateOfBirth'], { dateOfBirth: '2025-02-30' })).toEqual(['dateOfBirth:evisa.err.date']);
    expect(keysOf(['dateOfBirth'], { dateOfBirth: '2026-03-10' })).toEqual(['dateOfBirth:evisa.err.dateOfBirthFuture']);
    expect(keysOf(['passportIssueDate'], { passportIssueDate: '2026-03-11' })).toEqual(['passportIssueDate:evisa.err.issueFuture']);
    expect(keysOf(['passportExpiryDate'], { passportExpiryDate: '2026-03-10' })).toEqual(['passportExpiryDate:evisa.err.expiryPast']);
    expect(keysOf(['arrivalDate'], { arrivalDate: '2026-03-10' })).toEqual(['arrivalDate:evisa.err.arrivalPast']);
    expect(keysOf(['arrivalDate'], { arrivalDate: '2026-06-09' })).toEqual(['arrivalDate:evisa.err.arrivalTooFar']);
    expect(keysOf(['arrivalDate'], { arrivalDate: '2026-06-08' })).toEqual([]);
    expect(keysOf(['phone'], { phone: '0917 123 4567' })).toEqual(['phone:evisa.err.phone']);
    expect(keysOf(['phone'], { phone: '+63 917 123 4567' })).toEqual([]);
    expect(readFields(['phone'], { phone: '+63 917 123 4567' }, ctx).values.phone).toBe('+639171234567');
    expect(keysOf(['email'], { email: 'not-an-email' })).toEqual(['email:evisa.err.email']);
    expect(keysOf(['passportNumber'], { passportNumber: 'P12#45' })).toEqual(['passportNumber:evisa.err.passportNumber']);
    expect(keysOf(['portOfEntry'], { portOfEntry: 'LAX' })).toEqual(['portOfEntry:evisa.err.choice']);
    expect(keysOf(['mrzLine1'], { mrzLine1: 'P<UTO' })).toEqual(['mrzLine1:evisa.err.mrzLength']);
  });

  it('checks the order of dates and the passport validity after arrival', () => {
    const issues = (answers: Record<string, string>) => crossCheck(answers, ctx).map((i) => `${i.field}:${i.key}`);
    expect(issues({ dateOfBirth: '1990-01-01', passportIssueDate: '1989-12-31' })).toEqual([
      'passportIssueDate:evisa.err.issueBeforeBirth',
    ]);
    expect(issues({ passportIssueDate: '2020-01-01', passportExpiryDate: '2019-01-01' })).toEqual([
      'passportExpiryDate:evisa.err.expiryBeforeIssue',
    ]);
    expect(issues({ arrivalDate: '2026-04-01', passportExpiryDate: '2026-09-30' })).toEqual([
      'passportExpiryDate:evisa.err.passportValidity',
    ]);
    expect(issues({ arrivalDate: '2026-04-01', passportExpiryDate: '2026-10-01' })).toEqual([]);
    // Saved from the travel page, the same problem is reported on the arrival date.
    expect(crossCheck({ arrivalDate: '2026-04-01', passportExpiryDate: '2026-09-30' }, ctx, ['arrivalDate', 'portOfEntry'])[0]?.field).toBe(
      'arrivalDate',
    );
  });

  it('names the first page still to answer', () => {
    expect(firstIncompleteStep({ nationality: 'PHL', purpose: 'tourism', passportType: 'ordinary' })).toBe('name');
  });
});
