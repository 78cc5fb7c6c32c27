import { icaoCheckDigit } from './check-digit.js';

describe('icaoCheckDigit', () => {
  it('matches the ICAO 9303 specimen (ERIKSSON ANNA MARIA)', () => {
    expect(icaoCheckDigit('L898902C3')).toBe(6);
    expect(icaoCheckDigit('740812')).toBe(2);
    expect(icaoCheckDigit('120415')).toBe(9);
  });

  it('refuses characters an MRZ cannot hold', () => {
    expect(() => icaoCheckDigit('ab1')).toThrow();
  });
});
