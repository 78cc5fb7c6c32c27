import { DomainException } from '@app/platform';
import { DocumentErrors } from './errors.js';

/**
 * C40 packing as ICAO 9303 Part 13 uses it: space = 3, 0–9 = 4–13, A–Z = 14–39. Three characters
 * make the 16-bit number 1600·c1 + 40·c2 + c3 + 1, big-endian. Two characters left over are packed
 * with c3 = 0; one left over is written as 0xFE followed by its ASCII code + 1. The MRZ filler `<`
 * is written as a space; decoding gives spaces back (callers that hold MRZ text turn them into `<`).
 */
const UNPAD = 0xfe;

function valueOf(char: string): number {
  if (char === ' ' || char === '<') return 3;
  if (char >= '0' && char <= '9') return char.charCodeAt(0) - 48 + 4;
  if (char >= 'A' && char <= 'Z') return char.charCodeAt(0) - 65 + 14;
  throw new DomainException(DocumentErrors.MRZ_FIELD_INVALID, `"${char}" cannot be written in C40 (only A-Z, 0-9 and space).`);
}

function charOf(value: number): string {
  if (value === 3) return ' ';
  if (value >= 4 && value <= 13) return String.fromCharCode(value - 4 + 48);
  if (value >= 14 && value <= 39) return String.fromCharCode(value - 14 + 65);
  throw malformed(`C40 value ${value} is not a character of this profile`);
}

function malformed(message: string): DomainException {
  return new DomainException(DocumentErrors.SEAL_MALFORMED, `The seal is malformed: ${message}.`);
}

export function c40Encode(text: string): Buffer {
  const values = [...text].map(valueOf);
  const bytes: number[] = [];
  let i = 0;
  for (; i + 2 < values.length; i += 3) push(bytes, values[i]!, values[i + 1]!, values[i + 2]!);
  const left = values.length - i;
  if (left === 2) push(bytes, values[i]!, values[i + 1]!, 0);
  if (left === 1) bytes.push(UNPAD, (text[i] === '<' ? ' ' : text[i]!).charCodeAt(0) + 1);
  return Buffer.from(bytes);
}

function push(bytes: number[], c1: number, c2: number, c3: number): void {
  const packed = 1600 * c1 + 40 * c2 + c3 + 1;
  bytes.push(packed >> 8, packed & 0xff);
}

export function c40Decode(bytes: Uint8Array): string {
  if (bytes.length % 2 !== 0) throw malformed('C40 data has an odd number of bytes');
  let text = '';
  for (let i = 0; i < bytes.length; i += 2) {
    const last = i + 2 === bytes.length;
    if (bytes[i] === UNPAD) {
      if (!last) throw malformed('the C40 single-character tail is not at the end');
      const char = String.fromCharCode(bytes[i + 1]! - 1);
      if (!/^[ 0-9A-Z]$/.test(char)) throw malformed('the C40 single-character tail is not a character of this profile');
      text += char;
      continue;
    }
    const packed = (bytes[i]! << 8) + bytes[i + 1]! - 1;
    if (packed < 0 || packed >= 64000) throw malformed('C40 data is out of range');
    const c1 = Math.floor(packed / 1600);
    const c2 = Math.floor((packed % 1600) / 40);
    const c3 = packed % 40;
    text += charOf(c1) + charOf(c2);
    if (c3 === 0 && last) continue;
    text += charOf(c3);
  }
  return text;
}
