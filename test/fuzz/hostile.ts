import fc from 'fast-check';

/** Just over the 1 MB body limit once wrapped in JSON; sliced below it for a body that is accepted. */
export const MEGABYTE_STRING = 'é'.repeat(10) + 'x'.repeat(1_048_576);

/**
 * Strings that have broken web applications before: text direction overrides, zero-width and
 * combining characters, emoji sequences, lone surrogates, NUL and control characters, look-alike
 * and case-folding letters, SQL, HTML, template and path syntax, and very long values.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u202Eevil\u202C', // right-to-left override
  'مرحبا بالعالم', // Arabic, right to left
  'שלום',
  'a\u200B\u200C\u200D\u2060b', // zero-width space, non-joiner, joiner, word joiner
  '\uFEFF', // byte order mark
  'e\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308', // stacked combining marks
  'Z̷̧̛̖̼͔̩̓̈́̈́͌a̸̢̛̬̺͇̐͋l̴̨̰̻̈́g̶̜̈́͝o̵͍̿',
  '👩‍👩‍👧‍👦🇹🇼🏳️‍🌈',
  '𝕏𝔸𝕄𝔾',
  '\uD800', // lone high surrogate
  '\uDFFF', // lone low surrogate
  'a\uD83Db', // broken pair
  'a\u0000b', // NUL
  '\u0000',
  '\u0007\u0008\u001B[31m',
  '\r\n\r\nSet-Cookie: x=1',
  'İıßẞǅ', // case folding surprises
  'ＡＢＣ１２３', // full-width
  '٣٤٥', // Arabic-Indic digits
  '李小龍',
  "' OR '1'='1' --",
  '\'; DROP TABLE "case"; --',
  '1; SELECT pg_sleep(5)',
  '%_\\',
  '$1',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{ 7*7 }}{% raw %}',
  '${7*7}',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  'C:\\Windows\\win.ini',
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '9'.repeat(400),
  '2026-02-30',
  '0000-00-00',
  '9999-12-31T23:59:59Z',
  'x'.repeat(10_000),
];

/** A random string, a hostile one, or a long one. */
export function hostileString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1000, max: 200_000 }).map((n) => 'ä'.repeat(n)) },
  );
}
