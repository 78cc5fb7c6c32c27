import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { DomainException, Messages } from '@app/platform';
import type { EvisaDocumentData } from './evisa-document.js';
import { EvisaPdfRenderer } from './evisa-pdf.js';
import { sealQrPng } from './qr.js';
import { SealKeyring } from './seal-keyring.js';
import { SealService } from './seal.service.js';

const seals = new SealService(new SealKeyring(new Map([['T1', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey]]), 'T1'));
const renderer = new EvisaPdfRenderer(new Messages());

const person: EvisaDocumentData = {
  locale: 'en',
  visaNumber: 'TW0012345',
  surname: 'Wałęsa',
  givenNames: 'Łukasz',
  sex: 'M',
  dateOfBirth: '1988-07-04',
  placeOfBirth: 'Gdańsk',
  nationality: 'POL',
  passportNumber: 'EA1234567',
  passportExpiry: '2031-01-01',
  purpose: 'business',
  entries: 'single',
  durationOfStayDays: 30,
  validFrom: '2026-02-01',
  validUntil: '2026-04-30',
  issueDate: '2026-02-01',
  issuingPost: { code: 'WAW', nameEn: 'Taipei Representative Office in Poland', nameZh: '駐波蘭代表處' },
  verificationUrl: 'https://consular.example.gov/verify',
};

const pdfText = (pdf: Buffer): string => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'evisa-')), 'evisa.pdf');
  fs.writeFileSync(file, pdf);
  const result = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  fs.rmSync(path.dirname(file), { recursive: true });
  if (result.status !== 0) throw new Error(`pdftotext failed: ${result.stderr}`);
  return result.stdout;
};

const codeOf = async (run: () => Promise<unknown>): Promise<string | undefined> => {
  try {
    await run();
  } catch (error) {
    return error instanceof DomainException ? error.code : String(error);
  }
  return undefined;
};

describe('eVisa PDF', () => {
  it('is the same bytes for the same data and seal, photo included, and other bytes for another seal', async () => {
    const photo = await sharp({ create: { width: 300, height: 400, channels: 3, background: '#c8a27c' } })
      .png()
      .toBuffer();
    const data = { ...person, photo };
    const seal = seals.createSeal(data, '2026-02-01');
    const [first, second] = [await renderer.render(data, seal), await renderer.render(data, seal)];
    expect(first.subarray(0, 5).toString()).toBe('%PDF-');
    expect(first.equals(second)).toBe(true);
    const resealed = await renderer.render(data, seals.createSeal(data, '2026-02-01'));
    expect(resealed.equals(first)).toBe(false);
  });

  it('prints Latin letters the embedded font lacks without their diacritics (keeping those it has), and the MRZ transliterated', async () => {
    const text = pdfText(await renderer.render(person, seals.createSeal(person)));
    expect(text).toContain('Walesa');
    expect(text).toContain('Lukasz');
    expect(text).toContain('Gdańsk');
    expect(text).toContain('V<TWNWALESA<<LUKASZ'.padEnd(36, '<'));
    expect(text).toContain('電子簽證');
  });

  it('refuses a seal made for other data', async () => {
    const otherSeal = seals.createSeal({ ...person, passportNumber: 'EA7654321' });
    expect(await codeOf(() => renderer.render(person, otherSeal))).toBe('SEAL_DOES_NOT_MATCH');
    expect(await codeOf(() => renderer.render({ ...person, photo: Buffer.from('not an image') }, seals.createSeal(person)))).toBe(
      'PHOTO_UNREADABLE',
    );
  });

  it('draws the QR code as an 8-bit greyscale PNG (pdfkit mangles 1-bit palette PNGs)', async () => {
    const png = await sealQrPng(seals.createSeal(person));
    expect(png.subarray(12, 16).toString()).toBe('IHDR');
    expect({ bitDepth: png[24], colourType: png[25] }).toEqual({ bitDepth: 8, colourType: 0 });
  });
});
