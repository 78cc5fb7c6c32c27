import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { base32Decode, base32Encode } from './base32.js';
import { c40Decode, c40Encode } from './c40.js';
import { SealKeyring } from './seal-keyring.js';
import { decodeSeal, derLength, encodeFeature, encodeSeal, signSeal, type UnsignedVisaSeal, verifySeal } from './vds.js';

/** The interoperability vector of /work/shared/reference/icao9303.md (an ICAO visa seal made by another implementation). */
const VECTOR =
  'dc03d9c5d9cac8a73a990f7134b834595d01022cdd52134a74da1347c6fed95cb89f9fce133c133c133c133c203833734aaf47f0c32f1a1e20eb2625393afe310403a00000050633be1fed20c603010c0601aa0701bbff400b276b4522526b723e2140f14bef1c25048cfed9223268c24337e7a6b5b9f02b1e15c86734ef7101d983869278ce1066694dd80e8b842b82b592db6fd56c10ae';

const p256 = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

const content: UnsignedVisaSeal = {
  issuingCountry: 'TWN',
  documentIssueDate: '2026-01-15',
  signatureCreationDate: '2026-01-16',
  features: {
    mrz: 'V<TWNOCONNOR<NUNEZ<<MARIA<JOSE<<<<<<TW00123452PHL9002281F2606303',
    numberOfEntries: 1,
    durationOfStay: { days: 30, months: 0, years: 0 },
    passportNumber: 'P1234567A',
    visaType: Buffer.from([0x01]),
  },
};

describe('C40', () => {
  it('packs three characters into two bytes, two with c3 = 0, and one as 0xFE + ASCII + 1', () => {
    expect(c40Encode('47110815P').toString('hex')).toBe('33be1fed20c6');
    expect(c40Encode('AB').toString('hex')).toBe(((1600 * 14 + 40 * 15 + 0 + 1) >>> 0).toString(16).padStart(4, '0'));
    expect(c40Encode('ABCD').subarray(2).toString('hex')).toBe('fe45');
    expect(c40Encode('A<').toString('hex')).toBe(c40Encode('A ').toString('hex'));
    for (const text of ['', 'A', 'AB', 'ABC', 'ABCD', 'UTTS025B', 'V<TWN<<', '0123456789 XYZ']) {
      expect(c40Decode(c40Encode(text))).toBe(text.replace(/</g, ' '));
    }
  });
});

describe('base32 (RFC 4648)', () => {
  it('matches the RFC test vectors and round-trips', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI======');
    expect(base32Encode(Buffer.from('f'))).toBe('MY======');
    expect(base32Decode('MZXW6YTBOI')?.toString()).toBe('foobar');
    expect(base32Decode('mzxw6ytboi======')?.toString()).toBe('foobar');
    expect(base32Decode('not base32!')).toBeUndefined();
  });
});

describe('Visible Digital Seal', () => {
  it('decodes the interoperability vector to exactly the documented values', () => {
    const seal = decodeSeal(VECTOR);
    expect(seal.header).toEqual({
      version: 4,
      issuingCountry: 'UTO',
      signerIdentifier: 'UTTS',
      certificateReference: '5B',
      documentIssueDate: '2020-01-01',
      signatureCreationDate: '2025-12-07',
      featureDefinitionReference: 0x5d,
      documentTypeCategory: 0x01,
    });
    expect(seal.visa).toEqual({
      mrz: 'VCD<<DENT<<ARTHUR<PHILIP<<<<<<<<<<<<1234567XY7GBR5203116M2005250',
      numberOfEntries: 12,
      durationOfStay: { days: 0xa0, months: 0, years: 0 },
      passportNumber: '47110815P',
      visaType: Buffer.from('aa', 'hex'),
      additionalFeatures: Buffer.from('bb', 'hex'),
    });
    expect(seal.features.map((feature) => [feature.tag, feature.value.toString('hex')])).toEqual([
      [2, expect.stringMatching(/^dd52.*fe31$/)],
      [4, 'a00000'],
      [5, '33be1fed20c6'],
      [3, '0c'],
      [6, 'aa'],
      [7, 'bb'],
    ]);
    expect(seal.signature).toHaveLength(64);
    expect(seal.signedBytes.toString('hex')).toBe(VECTOR.slice(0, VECTOR.indexOf('ff40')));
  });

  it('re-encodes the vector byte for byte (header, C40 with its single-character tail, TLV lengths)', () => {
    const seal = decodeSeal(VECTOR);
    expect(encodeSeal(seal.header, seal.features).toString('hex')).toBe(seal.signedBytes.toString('hex'));
  });

  it('reads the same seal from hex (any case, spaced), base32, raw bytes and QR text', () => {
    const bytes = Buffer.from(VECTOR, 'hex');
    const spacedHex = VECTOR.toUpperCase().replace(/(.{32})/g, '$1\n ');
    for (const input of [spacedHex, base32Encode(bytes), base32Encode(bytes).replace(/=+$/, ''), bytes, bytes.toString('latin1')]) {
      expect(decodeSeal(input).bytes.equals(bytes)).toBe(true);
    }
  });

  it('encodes feature lengths in DER', () => {
    expect(derLength(0x7f).toString('hex')).toBe('7f');
    expect(derLength(0x80).toString('hex')).toBe('8180');
    expect(derLength(300).toString('hex')).toBe('82012c');
    const ring = new SealKeyring(new Map([['K1', p256()]]), 'K1');
    const long = signSeal({ ...content, features: { ...content.features, additionalFeatures: Buffer.alloc(200, 7) } }, ring);
    expect(decodeSeal(long).visa?.additionalFeatures).toEqual(Buffer.alloc(200, 7));
    expect(verifySeal(long, ring.publicKeys()).valid).toBe(true);
  });

  it('signs with the active key, names it in the header, and verifies', () => {
    const ring = new SealKeyring(new Map([['K2026A', p256()]]), 'K2026A');
    const sealBytes = signSeal(content, ring);
    const result = verifySeal(sealBytes, ring.publicKeys());
    expect(result.valid).toBe(true);
    expect(result.seal?.header).toMatchObject({
      issuingCountry: 'TWN',
      signerIdentifier: 'TWEV',
      certificateReference: 'K2026A',
      documentIssueDate: '2026-01-15',
    });
    expect(result.seal?.visa).toMatchObject({ ...content.features, visaType: Buffer.from([1]) });
    expect(result.seal?.signature).toHaveLength(64);
  });

  it('fails, without throwing, when any single byte is flipped', () => {
    const ring = new SealKeyring(new Map([['K1', p256()]]), 'K1');
    const sealBytes = signSeal(content, ring);
    const reasons = new Set<string>();
    for (let i = 0; i < sealBytes.length; i++) {
      const tampered = Buffer.from(sealBytes);
      tampered[i]! ^= 0x01;
      const result = verifySeal(tampered, ring.publicKeys());
      expect([i, result.valid]).toEqual([i, false]);
      if (!result.valid) reasons.add(result.reason);
    }
    expect([...reasons].sort()).toEqual(['BAD_SIGNATURE', 'MALFORMED', 'UNKNOWN_SIGNER']);
  });

  it('answers MALFORMED for text that is not a seal', () => {
    for (const input of ['', 'hello', 'dc', 'dc03', '3Q', VECTOR.slice(0, 100), `${VECTOR}00`, Buffer.from([0xdc, 0x03, 0xff])]) {
      const result = verifySeal(input, []);
      expect(result).toMatchObject({ valid: false, reason: 'MALFORMED' });
    }
    expect(verifySeal(VECTOR, [])).toMatchObject({ valid: false, reason: 'UNKNOWN_SIGNER' });
  });

  it('keeps verifying seals of a retired key after rotation', () => {
    const oldKey = p256();
    const before = new SealKeyring(new Map([['OLD', oldKey]]), 'OLD');
    const oldSeal = signSeal(content, before);
    const after = new SealKeyring(
      new Map([
        ['OLD', oldKey],
        ['NEW', p256()],
      ]),
      'NEW',
    );
    const newSeal = signSeal(content, after);
    expect(decodeSeal(newSeal).header.certificateReference).toBe('NEW');
    expect(verifySeal(oldSeal, after.publicKeys()).valid).toBe(true);
    expect(verifySeal(newSeal, after.publicKeys()).valid).toBe(true);
    expect(verifySeal(newSeal, before.publicKeys())).toMatchObject({ valid: false, reason: 'UNKNOWN_SIGNER' });
    expect(after.published().map((key) => [key.keyId, key.active, key.jwk.crv, key.pem.startsWith('-----BEGIN PUBLIC KEY-----')])).toEqual([
      ['OLD', false, 'P-256', true],
      ['NEW', true, 'P-256', true],
    ]);
  });

  it('never throws on arbitrary bytes or on a valid seal with arbitrary damage', () => {
    const ring = new SealKeyring(new Map([['K1', p256()]]), 'K1');
    const keys = ring.publicKeys();
    const sealBytes = signSeal(content, ring);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
        expect(verifySeal(Buffer.concat([Buffer.from([0xdc, 0x03]), tail]), keys).valid).toBe(false);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.nat(sealBytes.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(sealBytes.length - 1), (index, mask, cut) => {
        const damaged = Buffer.from(sealBytes);
        damaged[index]! ^= mask;
        expect(verifySeal(damaged, keys).valid).toBe(false);
        expect(verifySeal(sealBytes.subarray(0, cut), keys).valid).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('also reads a version 3 header (signer identifier and a 5-character certificate reference)', () => {
    const v3 = Buffer.concat([
      Buffer.from([0xdc, 0x02]),
      c40Encode('UTO'),
      c40Encode('UTTS' + '0000A'),
      Buffer.from('0f7134', 'hex'),
      Buffer.from('0f7134', 'hex'),
      Buffer.from([0x5d, 0x01]),
      encodeFeature({ tag: 3, value: Buffer.from([2]) }),
      Buffer.from([0xff, 0x40]),
      Buffer.alloc(64),
    ]);
    expect(decodeSeal(v3)).toMatchObject({
      header: {
        version: 3,
        issuingCountry: 'UTO',
        signerIdentifier: 'UTTS',
        certificateReference: '0000A',
        documentIssueDate: '2020-01-01',
      },
      visa: { numberOfEntries: 2 },
    });
  });
});
