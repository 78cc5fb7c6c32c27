import { dateOfBirthFromParts, dateOfBirthParts } from './date-of-birth.js';

describe('the date of birth fields', () => {
  it('joins day, month and year as YYYY-MM-DD, full-width digits and spaces included', () => {
    expect(dateOfBirthFromParts({ dobDay: '7', dobMonth: '3', dobYear: '1988' })).toBe('1988-03-07');
    expect(dateOfBirthFromParts({ dobDay: ' １４ ', dobMonth: '１２', dobYear: '１９９０' })).toBe('1990-12-14');
  });

  it('leaves a wrong date wrong for the service to refuse, and empty fields empty', () => {
    expect(dateOfBirthFromParts({ dobDay: '31', dobMonth: '2', dobYear: '' })).toBe('-02-31');
    expect(dateOfBirthFromParts({ dobDay: '', dobMonth: '', dobYear: '' })).toBe('');
    expect(dateOfBirthFromParts({ dobDay: ['1'], dobMonth: {}, dobYear: 1990 })).toBe('');
  });

  it('spreads a stored date into the fields again', () => {
    expect(dateOfBirthParts('1988-03-07')).toEqual({ dobDay: '7', dobMonth: '3', dobYear: '1988' });
    expect(dateOfBirthParts(undefined)).toEqual({ dobDay: '', dobMonth: '', dobYear: '' });
  });
});
