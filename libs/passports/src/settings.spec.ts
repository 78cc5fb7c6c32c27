import { ageOn, feeFor, loadPassportSettings } from './settings.js';

describe('passport fees and validity', () => {
  const settings = loadPassportSettings();

  it('counts whole years, the birthday itself included', () => {
    expect(ageOn('2012-06-15', '2026-06-14')).toBe(13);
    expect(ageOn('2012-06-15', '2026-06-15')).toBe(14);
  });

  it('charges a child under 14 the 5-year fee and an adult the 10-year fee, in TWD at home and USD abroad', () => {
    expect(feeFor(settings, '2012-06-16', '2026-06-15', true)).toEqual({
      ageBand: 'child',
      validityYears: 5,
      amount: 900,
      currency: 'TWD',
    });
    expect(feeFor(settings, '2012-06-15', '2026-06-15', true)).toEqual({
      ageBand: 'adult',
      validityYears: 10,
      amount: 1300,
      currency: 'TWD',
    });
    expect(feeFor(settings, '1990-01-01', '2026-06-15', false)).toEqual({
      ageBand: 'adult',
      validityYears: 10,
      amount: 45,
      currency: 'USD',
    });
    expect(feeFor(settings, '2020-01-01', '2026-06-15', false)).toEqual({
      ageBand: 'child',
      validityYears: 5,
      amount: 31,
      currency: 'USD',
    });
  });
});
