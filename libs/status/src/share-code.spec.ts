import { formatShareCode, generateShareCode, parseShareCode } from './share-code.js';
import { normaliseDate, normaliseLookupDetails } from './lookup-details.js';

describe('share codes', () => {
  it('are 9 Crockford characters that survive being typed back sloppily', () => {
    const code = generateShareCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{9}$/);
    expect(parseShareCode(formatShareCode(code).toLowerCase())).toBe(code);
    expect(parseShareCode(' k7m 3qx 9pa ')).toBe('K7M3QX9PA');
    expect(parseShareCode('O1L-III-OOO')).toBe('011111000');
  });

  it('refuses anything that cannot be a code', () => {
    for (const bad of ['', 'K7M-3QX-9P', 'K7M-3QX-9PAA', 'K7M-3QX-9P!', 'U7M3QX9PA', 42, null]) expect(parseShareCode(bad)).toBeNull();
  });
});

describe('look-up details', () => {
  it('normalise surnames the same way whoever typed them', () => {
    expect(normaliseLookupDetails('  chen ', '1990-4-1')).toEqual({ surname: 'CHEN', dateOfBirth: '1990-04-01' });
    expect(normaliseLookupDetails('ｖａｎ  der   Berg', '1990-04-01')).toEqual({ surname: 'VAN DER BERG', dateOfBirth: '1990-04-01' });
    expect(normaliseLookupDetails('', '1990-04-01')).toBeNull();
    expect(normaliseLookupDetails('---', '1990-04-01')).toBeNull();
  });

  it('accept only real past dates', () => {
    expect(normaliseDate('2000-02-29')).toBe('2000-02-29');
    for (const bad of ['1999-02-29', '1990-13-01', '01/04/1990', '1890-01-01', '2999-01-01']) expect(normaliseDate(bad)).toBeNull();
  });
});
