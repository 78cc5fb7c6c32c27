/** ICAO 9303 Part 3 check digit: weights 7, 3, 1; digits as themselves, A–Z as 10–35, '<' as 0. */
export function icaoCheckDigit(field: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const char = field[i]!;
    let value: number;
    if (char >= '0' && char <= '9') value = char.charCodeAt(0) - 48;
    else if (char >= 'A' && char <= 'Z') value = char.charCodeAt(0) - 55;
    else if (char === '<') value = 0;
    else throw new Error(`"${char}" cannot appear in a machine-readable zone`);
    sum += value * weights[i % 3]!;
  }
  return sum % 10;
}
