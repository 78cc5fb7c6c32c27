import { icaoCheckDigit } from '@app/platform';
import { compareWithMrz, mrzNameField, parseTd3, type TypedIdentity } from './mrz.js';

const LINE1 = 'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<';
const LINE2 = 'L898902C36UTO7408122F1204159ZE184226B<<<<<10';

/** Replaces one character of a line. */
const swap = (line: string, index: number, char: string) => line.slice(0, index) + char + line.slice(index + 1);

describe('TD3 passport MRZ', () => {
  it('reads the ICAO 9303 specimen and accepts all five check digits', () => {
    const { mrz, formatErrors, badCheckDigits } = parseTd3(LINE1, LINE2);
    expect(formatErrors).toEqual([]);
    expect(badCheckDigits).toEqual([]);
    expect(mrz).toEqual({
      documentCode: 'P',
      issuingState: 'UTO',
      surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA',
      nameField: LINE1.slice(5),
      documentNumber: 'L898902C3',
      nationality: 'UTO',
      dateOfBirth: '740812',
      sex: 'F',
      expiryDate: '120415',
      personalNumber: 'ZE184226B',
    });
  });

  it('tolerates spaces, line breaks and lower case from copying', () => {
    const { mrz, badCheckDigits } = parseTd3(` ${LINE1.toLowerCase()}\n`, `${LINE2.slice(0, 20)} ${LINE2.slice(20)}`);
    expect(badCheckDigits).toEqual([]);
    expect(mrz?.surname).toBe('ERIKSSON');
  });

  it('names each check digit that does not match, including the composite', () => {
    expect(parseTd3(LINE1, swap(LINE2, 9, '5')).badCheckDigits).toEqual(['documentNumber', 'composite']);
    expect(parseTd3(LINE1, swap(LINE2, 19, '3')).badCheckDigits).toEqual(['dateOfBirth', 'composite']);
    expect(parseTd3(LINE1, swap(LINE2, 27, '8')).badCheckDigits).toEqual(['expiryDate', 'composite']);
    expect(parseTd3(LINE1, swap(LINE2, 42, '2')).badCheckDigits).toEqual(['personalNumber', 'composite']);
    expect(parseTd3(LINE1, swap(LINE2, 43, '1')).badCheckDigits).toEqual(['composite']);
    // A changed field whose own digit is not updated: both its digit and the composite fail.
    expect(parseTd3(LINE1, swap(LINE2, 14, '5')).badCheckDigits).toEqual(['dateOfBirth', 'composite']);
  });

  it('refuses lines of the wrong length, with foreign characters, or not from a passport', () => {
    expect(parseTd3(LINE1.slice(0, 43), LINE2).formatErrors).toEqual(['line1Length']);
    expect(parseTd3(LINE1, `${LINE2}<`).formatErrors).toEqual(['line2Length']);
    expect(parseTd3(swap(LINE1, 7, 'É'), LINE2).formatErrors).toEqual(['characters']);
    expect(parseTd3(swap(LINE1, 0, 'V'), LINE2).formatErrors).toEqual(['documentCode']);
  });

  it('uses icaoCheckDigit from the platform (7-3-1 weights)', () => {
    expect(icaoCheckDigit('L898902C3')).toBe(6);
    expect(icaoCheckDigit('740812')).toBe(2);
    expect(icaoCheckDigit('120415')).toBe(9);
  });
});

describe('the MRZ cross-check', () => {
  const { mrz } = parseTd3(LINE1, LINE2);
  const typed: TypedIdentity = {
    surname: 'ERIKSSON',
    givenNames: 'ANNA MARIA',
    passportNumber: 'L898902C3',
    nationality: 'UTO',
    dateOfBirth: '1974-08-12',
    sex: 'F',
    expiryDate: '2012-04-15',
  };

  it('finds nothing when the answers match the passport', () => {
    expect(compareWithMrz(mrz!, typed)).toEqual([]);
  });

  it.each([
    ['name', { surname: 'ERICSSON' }],
    ['name', { givenNames: 'ANNA' }],
    ['passportNumber', { passportNumber: 'L898902C4' }],
    ['nationality', { nationality: 'SWE' }],
    ['dateOfBirth', { dateOfBirth: '1974-08-21' }],
    ['sex', { sex: 'M' }],
    ['sex', { sex: 'X' }],
    ['expiryDate', { expiryDate: '2012-05-15' }],
  ] as const)('flags a %s mismatch (%o)', (field, change) => {
    const mismatches = compareWithMrz(mrz!, { ...typed, ...change });
    expect(mismatches.map((m) => m.field)).toEqual([field]);
  });

  it('flags every mismatch at once and skips what was not answered', () => {
    const all = compareWithMrz(mrz!, {
      surname: 'SMITH',
      givenNames: null,
      passportNumber: 'X1234567',
      nationality: 'PHL',
      dateOfBirth: '1980-01-01',
      sex: 'M',
      expiryDate: '2030-01-01',
    });
    expect(all.map((m) => m.field)).toEqual(['name', 'passportNumber', 'nationality', 'dateOfBirth', 'sex', 'expiryDate']);
    expect(compareWithMrz(mrz!, { ...typed, surname: null, sex: null })).toEqual([]);
  });

  it('writes typed names the way the MRZ does: hyphens and spaces as <, apostrophes dropped', () => {
    expect(mrzNameField("O'BRIEN-SMITH", 'MARY ANN')).toBe('OBRIEN<SMITH<<MARY<ANN'.padEnd(39, '<'));
    expect(mrzNameField('SUKARNO', '')).toBe('SUKARNO'.padEnd(39, '<'));
  });
});
