import { DomainException } from '@app/platform';
import { buildMrvB, mrzNameField, parseMrvB, parseSealMrz, sealMrz, transliterateName } from './mrz.js';

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return error instanceof DomainException ? error.code : `not a DomainException: ${String(error)}`;
  }
  return undefined;
};

describe('MRV-B machine-readable zone', () => {
  it('writes a name with an apostrophe, a hyphen and diacritics as ICAO 9303 asks (check digits computed by hand)', () => {
    const mrz = buildMrvB({
      surname: "O'Connor-Núñez",
      givenNames: 'María José',
      visaNumber: 'TW0012345',
      nationality: 'PHL',
      dateOfBirth: '1990-02-28',
      sex: 'F',
      validUntil: '2026-06-30',
    });
    expect(mrz).toEqual({
      line1: 'V<TWNOCONNOR<NUNEZ<<MARIA<JOSE<<<<<<',
      line2: 'TW00123452PHL9002281F2606303<<<<<<<<',
    });
  });

  it('cuts a long name at 31 characters, shortening the given names', () => {
    const mrz = buildMrvB({
      surname: 'Chakraborty-Bandyopadhyay',
      givenNames: 'Venkata Ramana',
      visaNumber: 'TW0098765',
      nationality: 'IND',
      dateOfBirth: '1985-11-05',
      sex: 'M',
      validUntil: '2026-03-31',
    });
    expect(mrz).toEqual({
      line1: 'V<TWNCHAKRABORTY<BANDYOPADHYAY<<VENK',
      line2: 'TW00987656IND8511054M2603313<<<<<<<<',
    });
    expect(mrz.line1).toHaveLength(36);
    expect(parseMrvB(mrz.line1, mrz.line2)).toMatchObject({ valid: true, surname: 'CHAKRABORTY BANDYOPADHYAY', givenNames: 'VENK' });
  });

  it('uses the ICAO transliterations of special Latin letters and omits apostrophes and full stops', () => {
    expect(transliterateName('Æbeløe Straße', 'surname')).toBe('AEBELOEE<STRASSE');
    expect(transliterateName('Þórður  Łukasz', 'surname')).toBe('THORDUR<LUKASZ');
    expect(transliterateName(" D'Artagnan, Jr. ", 'surname')).toBe('DARTAGNAN<JR');
    expect(mrzNameField('Madonna', '')).toBe('MADONNA'.padEnd(31, '<'));
    expect(
      buildMrvB({
        surname: 'A',
        givenNames: 'B',
        visaNumber: '1',
        nationality: 'D',
        dateOfBirth: '2000-01-01',
        sex: 'X',
        validUntil: '2030-12-31',
      }).line2,
    ).toBe('1<<<<<<<<7D<<0001018<3012316<<<<<<<<');
  });

  it('refuses names that cannot be written in Latin letters, with a clear code', () => {
    for (const [surname, givenNames] of [
      ['王', '小明'],
      ['Иванов', 'Ivan'],
      ['Smith', 'محمد'],
      ['Smith', 'John 3rd'],
    ]) {
      expect(
        codeOf(() =>
          buildMrvB({
            surname,
            givenNames,
            visaNumber: 'X1',
            nationality: 'UTO',
            dateOfBirth: '1980-01-01',
            sex: 'M',
            validUntil: '2030-01-01',
          }),
        ),
      ).toBe('NAME_NOT_LATIN');
    }
  });

  it('refuses values the MRZ cannot hold', () => {
    const person = {
      surname: 'Doe',
      givenNames: 'Jane',
      visaNumber: 'TW1',
      nationality: 'UTO',
      dateOfBirth: '1980-01-01',
      sex: 'F' as const,
      validUntil: '2030-01-01',
    };
    expect(codeOf(() => buildMrvB({ ...person, visaNumber: 'TW12345678' }))).toBe('MRZ_FIELD_INVALID');
    expect(codeOf(() => buildMrvB({ ...person, visaNumber: 'TW-1' }))).toBe('MRZ_FIELD_INVALID');
    expect(codeOf(() => buildMrvB({ ...person, dateOfBirth: '1980-02-30' }))).toBe('MRZ_FIELD_INVALID');
    expect(codeOf(() => buildMrvB({ ...person, nationality: 'PH1' }))).toBe('MRZ_FIELD_INVALID');
    expect(codeOf(() => buildMrvB({ ...person, surname: "'-" }))).toBe('MRZ_FIELD_INVALID');
  });

  it('parses an MRV-B and reports every check digit that does not match', () => {
    const line1 = 'V<TWNOCONNOR<NUNEZ<<MARIA<JOSE<<<<<<';
    expect(parseMrvB(line1, 'TW00123452PHL9002281F2606303<<<<<<<<')).toMatchObject({
      valid: true,
      issuingState: 'TWN',
      surname: 'OCONNOR NUNEZ',
      givenNames: 'MARIA JOSE',
      visaNumber: 'TW0012345',
      nationality: 'PHL',
      dateOfBirth: '900228',
      sex: 'F',
      validUntil: '260630',
      optionalData: '',
    });
    const broken = parseMrvB(line1, 'TW00123453PHL9002282F2606304<<<<<<<<');
    expect(broken.valid).toBe(false);
    expect(broken.checkDigits).toEqual({ visaNumber: false, dateOfBirth: false, validUntil: false });
    expect(broken.problems).toHaveLength(3);
    expect(codeOf(() => parseMrvB(line1.slice(1), 'TW00123452PHL9002281F2606303<<<<<<<<'))).toBe('MRZ_INVALID');
    expect(codeOf(() => parseMrvB(line1.replace('V', 'P'), 'TW00123452PHL9002281F2606303<<<<<<<<'))).toBe('MRZ_INVALID');
  });

  it('keeps line 1 and the first 28 characters of line 2 in a seal, as the interoperability vector does', () => {
    const vector = 'VCD<<DENT<<ARTHUR<PHILIP<<<<<<<<<<<<1234567XY7GBR5203116M2005250';
    expect(sealMrz({ line1: vector.slice(0, 36), line2: `${vector.slice(36)}ABCDEFGH` })).toBe(vector);
    expect(parseSealMrz(vector)).toMatchObject({
      valid: true,
      visaType: 'C',
      issuingState: 'D',
      surname: 'DENT',
      givenNames: 'ARTHUR PHILIP',
      visaNumber: '1234567XY',
      nationality: 'GBR',
      dateOfBirth: '520311',
      sex: 'M',
      validUntil: '200525',
      optionalData: undefined,
    });
  });
});
