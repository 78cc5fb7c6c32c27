import { CROCKFORD_ALPHABET, generateReference, parseReferenceWith } from './reference.js';

const PREFIXES = ['EV', 'PP', 'DA', 'AB', 'EM'];
const parseReference = (input: unknown) => parseReferenceWith(input, (prefix) => (PREFIXES.includes(prefix) ? prefix : undefined));

describe('case references', () => {
  const references = Array.from({ length: 10_000 }, (_, i) => generateReference(PREFIXES[i % PREFIXES.length]!));

  it('look like EV-7K3M-9QXP and parse back to themselves', () => {
    const shape = /^(EV|PP|DA|AB|EM)-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
    expect(references.filter((r) => !shape.test(r) || parseReference(r)?.reference !== r)).toEqual([]);
    expect(new Set(references).size).toBe(references.length);
  });

  it('rejects every single-character substitution in 10,000 references', () => {
    let tried = 0;
    const accepted: string[] = [];
    for (const reference of references) {
      const compact = reference.replace(/-/g, '');
      for (let position = 0; position < compact.length; position++) {
        for (const replacement of CROCKFORD_ALPHABET) {
          if (replacement === compact[position]) continue;
          const typo = compact.slice(0, position) + replacement + compact.slice(position + 1);
          if (parseReference(typo) !== null) accepted.push(typo);
          tried++;
        }
      }
    }
    expect(accepted).toEqual([]);
    expect(tried).toBe(10_000 * 10 * 31);
  });

  it('rejects every swap of two different neighbouring characters in 10,000 references', () => {
    let tried = 0;
    const accepted: string[] = [];
    for (const reference of references) {
      const compact = reference.replace(/-/g, '');
      for (let position = 0; position < compact.length - 1; position++) {
        if (compact[position] === compact[position + 1]) continue;
        const swapped = compact.slice(0, position) + compact[position + 1] + compact[position] + compact.slice(position + 2);
        if (parseReference(swapped) !== null) accepted.push(swapped);
        tried++;
      }
    }
    expect(accepted).toEqual([]);
    expect(tried).toBeGreaterThan(80_000);
  });

  it('reads what people type: lower case, spaces, no hyphens, O for 0 and I or L for 1', () => {
    const withDigits = references.find((r) => r.includes('0') && r.includes('1'))!;
    const typed = withDigits.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    expect(parseReference(typed)?.reference).toBe(withDigits);
    expect(parseReference('EV-ZZZZ-ZZZ')).toBeNull();
    expect(parseReference('')).toBeNull();
    expect(parseReference(42)).toBeNull();
    expect(parseReference('XX-0000-0000')).toBeNull();
    expect(parseReference('EV-'.padEnd(1000, '7'))).toBeNull();
  });
});
