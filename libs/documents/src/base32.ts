/** RFC 4648 base32 (upper-case alphabet A–Z 2–7, `=` padding), the text form of a seal for QR readers that need text. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

/** Decodes base32, case-insensitive, with or without padding; undefined when the text is not base32. */
export function base32Decode(text: string): Buffer | undefined {
  const body = text.toUpperCase().replace(/=+$/, '');
  if (!/^[A-Z2-7]*$/.test(body) || [1, 3, 6].includes(body.length % 8)) return undefined;
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of body) {
    value = ((value << 5) | ALPHABET.indexOf(char)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}
