import { Injectable } from '@nestjs/common';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import sharp from 'sharp';
import { DomainException, Messages, type Translate } from '@app/platform';
import { DocumentErrors } from './errors.js';
import { type EvisaDocumentData, evisaMrz, normalisePassportNumber } from './evisa-document.js';
import { sealMrz } from './mrz.js';
import { sealQrPng } from './qr.js';
import { decodeSeal } from './vds.js';

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 42;
const CONTENT_WIDTH = A4.width - 2 * MARGIN;
const GREY = '#505a5f';
const INK = '#0b0c0c';

/** A font as pdfkit's registerFont takes it: file bytes, or a font fontkit has already parsed. */
type FontSource = Buffer;

/**
 * Noto Sans Hant (OTF, CFF) from @embedpdf/fonts-tc; pdfkit embeds only the glyphs used. pdfkit
 * parses a font (fontkit) for every document that uses it, and parsing and decoding the tables of a
 * CJK font again for each eVisa was about a third of a render's CPU (bench/RESULTS.md). pdfkit also
 * takes an already parsed font, so each is parsed once, through a scratch document, and shared: a
 * parsed font is only read by the documents (each subsets it into its own PDF).
 */
let fonts: { regular: FontSource; bold: FontSource } | undefined;
function notoSansHant(): { regular: FontSource; bold: FontSource } {
  if (!fonts) {
    const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-tc')), '..', 'fonts');
    const scratch = new PDFDocument({ autoFirstPage: false });
    const parsed = (name: string, file: string): FontSource => {
      scratch.registerFont(name, fs.readFileSync(path.join(dir, file)));
      scratch.font(name);
      return (scratch as unknown as { _font: { font: FontSource } })._font.font;
    };
    fonts = { regular: parsed('regular', 'NotoSansHant-Regular.otf'), bold: parsed('bold', 'NotoSansHant-Bold.otf') };
  }
  return fonts;
}

interface GlyphCoverage {
  hasGlyphForCodePoint(codePoint: number): boolean;
}

/**
 * Noto Sans Hant covers Latin-1 and CJK but not Latin Extended-A (ł, ő, ř, ş…), and no font that
 * does is installed. Such letters are printed without their diacritic (ř → r, ł → l), as the MRZ
 * writes them anyway, instead of as blank boxes.
 */
const FOLDED: Record<string, string> = {
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ı: 'i',
  ħ: 'h',
  Ħ: 'H',
  ŋ: 'n',
  Ŋ: 'N',
  ŧ: 't',
  Ŧ: 'T',
  ĸ: 'k',
  ŀ: 'l',
  Ŀ: 'L',
  ĳ: 'ij',
  Ĳ: 'IJ',
};

function printable(text: string, coverage: GlyphCoverage | undefined): string {
  if (!coverage) return text;
  const covered = (value: string) => [...value].every((char) => coverage.hasGlyphForCodePoint(char.codePointAt(0)!));
  return [...text.normalize('NFC')]
    .map((char) => {
      if (covered(char)) return char;
      const base = char.normalize('NFD').replace(/\p{M}/gu, '');
      if (base && base !== char && covered(base)) return base;
      return FOLDED[char] ?? char;
    })
    .join('');
}

/** pdfkit keeps the fontkit font of the current embedded font at `_font.font` (not in its typed API). */
function coverageOf(doc: PDFKit.PDFDocument): GlyphCoverage | undefined {
  const font = (doc as unknown as { _font?: { font?: Partial<GlyphCoverage> } })._font?.font;
  return typeof font?.hasGlyphForCodePoint === 'function' ? (font as GlyphCoverage) : undefined;
}

/** The holder photo as a baseline JPEG with EXIF orientation applied and metadata stripped. */
async function normalisePhoto(photo: Buffer): Promise<Buffer> {
  try {
    return await sharp(photo)
      .rotate()
      .resize(413, 531, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 90 })
      .toBuffer();
  } catch {
    throw new DomainException(DocumentErrors.PHOTO_UNREADABLE, 'The holder photo could not be read as a JPEG or PNG image.');
  }
}

/** Noon UTC of a calendar date: the PDF's fixed creation date, so the same input gives the same bytes. */
const pdfDate = (isoDate: string) => new Date(`${isoDate}T12:00:00Z`);

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

/**
 * Renders the bilingual (English and Traditional Chinese) A4 eVisa: holder data and photo, visa
 * data, the signed seal as a QR code, and the MRV-B machine-readable zone at the foot (Courier, a
 * monospace face at the MRZ's 10 characters per inch; no OCR-B font is installed).
 *
 * Determinism: the PDF is a pure function of (data, seal). Its creation date and file ID come from
 * the issue date, fonts are subset the same way every time, and the seal, whose ECDSA signature is
 * random, is made once beforehand by `SealService.createSeal` and passed in. The seal must have
 * been made for this data: its MRZ and passport number are checked (SEAL_DOES_NOT_MATCH).
 */
export async function renderEvisaPdf(data: EvisaDocumentData, seal: Uint8Array, messages: Messages): Promise<Buffer> {
  const mrz = evisaMrz(data);
  const decoded = decodeSeal(seal);
  if (decoded.visa?.mrz !== sealMrz(mrz) || decoded.visa.passportNumber !== normalisePassportNumber(data.passportNumber)) {
    throw new DomainException(DocumentErrors.SEAL_DOES_NOT_MATCH, 'The seal was not made for this eVisa.');
  }
  const [qr, photo] = await Promise.all([sealQrPng(decoded.bytes), data.photo ? normalisePhoto(data.photo) : undefined]);
  const [first, second]: [Translate, Translate] =
    data.locale === 'zh-Hant'
      ? [messages.translator('zh-Hant'), messages.translator('en')]
      : [messages.translator('en'), messages.translator('zh-Hant')];
  const both = (key: string, params?: Record<string, string | number>) => `${first(key, params)} / ${second(key, params)}`;

  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    pdfVersion: '1.7',
    lang: data.locale,
    displayTitle: true,
    info: {
      Title: both('documents.evisa.title'),
      Author: both('documents.evisa.state'),
      Creator: 'Consular Services Portal',
      Producer: 'Consular Services Portal',
      CreationDate: pdfDate(data.issueDate),
      ModDate: pdfDate(data.issueDate),
    },
  });
  const done = collect(doc);
  const { regular, bold } = notoSansHant();
  doc.registerFont('sans', regular);
  doc.registerFont('sans-bold', bold);

  const write = (
    text: string,
    x: number,
    y: number,
    options: PDFKit.Mixins.TextOptions & { font?: string; size?: number; color?: string } = {},
  ) => {
    const { font = 'sans', size = 10, color = INK, ...textOptions } = options;
    doc.font(font).fontSize(size).fillColor(color);
    doc.text(printable(text, coverageOf(doc)), x, y, { lineGap: 1, ...textOptions });
    return doc.y;
  };
  const field = (label: string, value: string, x: number, y: number, width: number) => {
    write(label, x, y, { size: 7.5, color: GREY, width });
    return write(value, x, y + 11, { font: 'sans-bold', size: 10.5, width });
  };
  const heading = (key: string, y: number) => {
    write(both(key), MARGIN, y, { font: 'sans-bold', size: 11.5 });
    doc
      .moveTo(MARGIN, y + 18)
      .lineTo(A4.width - MARGIN, y + 18)
      .lineWidth(0.5)
      .strokeColor(GREY)
      .stroke();
  };

  // Title and visa number.
  write(`${first('documents.evisa.title')}  ${second('documents.evisa.title')}`, MARGIN, MARGIN, { font: 'sans-bold', size: 20 });
  write(both('documents.evisa.state'), MARGIN, MARGIN + 30, { size: 10, color: GREY });
  write(both('documents.evisa.visaNumber'), MARGIN, MARGIN, { size: 7.5, color: GREY, width: CONTENT_WIDTH, align: 'right' });
  write(data.visaNumber, MARGIN, MARGIN + 11, { font: 'sans-bold', size: 16, width: CONTENT_WIDTH, align: 'right' });
  doc
    .moveTo(MARGIN, MARGIN + 52)
    .lineTo(A4.width - MARGIN, MARGIN + 52)
    .lineWidth(1.5)
    .strokeColor(INK)
    .stroke();

  // Holder: photo, then two columns of personal data.
  const holderTop = 112;
  heading('documents.evisa.holder', holderTop);
  const photoBox = { x: MARGIN, y: holderTop + 28, width: 99, height: 128 };
  if (photo) {
    doc.image(photo, photoBox.x, photoBox.y, { fit: [photoBox.width, photoBox.height], align: 'center', valign: 'center' });
  } else {
    write(both('documents.evisa.noPhoto'), photoBox.x, photoBox.y + photoBox.height / 2 - 12, {
      size: 8,
      color: GREY,
      width: photoBox.width,
      align: 'center',
    });
  }
  doc.rect(photoBox.x, photoBox.y, photoBox.width, photoBox.height).lineWidth(0.5).strokeColor(GREY).stroke();
  const holderFields: [string, string][] = [
    [both('documents.evisa.surname'), data.surname],
    [both('documents.evisa.givenNames'), data.givenNames || '—'],
    ...(data.nativeName ? [[both('documents.evisa.nativeName'), data.nativeName] as [string, string]] : []),
    [both('documents.evisa.sex'), `${data.sex}  ${both(`documents.evisa.sex.${data.sex}`)}`],
    [both('documents.evisa.dateOfBirth'), data.dateOfBirth],
    [both('documents.evisa.placeOfBirth'), data.placeOfBirth],
    [both('documents.evisa.nationality'), data.nationality],
    [both('documents.evisa.passportNumber'), normalisePassportNumber(data.passportNumber)],
    [both('documents.evisa.passportExpiry'), data.passportExpiry],
  ];
  const columnX = [160, 160 + (A4.width - MARGIN - 160) / 2];
  const columnWidth = (A4.width - MARGIN - 160) / 2 - 10;
  let rowY = holderTop + 28;
  for (let i = 0; i < holderFields.length; i += 2) {
    const bottoms = holderFields.slice(i, i + 2).map(([label, value], column) => field(label, value, columnX[column]!, rowY, columnWidth));
    rowY = Math.max(...bottoms) + 8;
  }

  // Visa data: three columns.
  const visaTop = Math.max(rowY, photoBox.y + photoBox.height) + 10;
  heading('documents.evisa.visa', visaTop);
  const visaFields: [string, string][] = [
    [both('documents.evisa.purpose'), both(`documents.evisa.purpose.${data.purpose}`)],
    [both('documents.evisa.entries'), both(`documents.evisa.entries.${data.entries}`)],
    [both('documents.evisa.stay'), both('documents.evisa.stayDays', { days: data.durationOfStayDays })],
    [both('documents.evisa.validFrom'), data.validFrom],
    [both('documents.evisa.validUntil'), data.validUntil],
    [both('documents.evisa.issueDate'), data.issueDate],
  ];
  const thirds = CONTENT_WIDTH / 3;
  rowY = visaTop + 28;
  for (let i = 0; i < visaFields.length; i += 3) {
    const bottoms = visaFields
      .slice(i, i + 3)
      .map(([label, value], column) => field(label, value, MARGIN + column * thirds, rowY, thirds - 10));
    rowY = Math.max(...bottoms) + 8;
  }
  const post =
    data.locale === 'zh-Hant'
      ? `${data.issuingPost.nameZh} / ${data.issuingPost.nameEn}`
      : `${data.issuingPost.nameEn} / ${data.issuingPost.nameZh}`;
  rowY = field(both('documents.evisa.issuingPost'), post, MARGIN, rowY, CONTENT_WIDTH) + 14;

  // Seal and conditions: text on the left, the QR code on the right.
  const sealTop = rowY;
  heading('documents.evisa.seal', sealTop);
  const qrSize = 150;
  const textWidth = CONTENT_WIDTH - qrSize - 20;
  doc.image(qr, A4.width - MARGIN - qrSize, sealTop + 26, { width: qrSize, height: qrSize });
  let textY = write(first('documents.evisa.sealHelp'), MARGIN, sealTop + 28, { size: 9, width: textWidth });
  textY = write(second('documents.evisa.sealHelp'), MARGIN, textY + 2, { size: 9, width: textWidth });
  textY = write(data.verificationUrl, MARGIN, textY + 4, {
    size: 9,
    width: textWidth,
    link: data.verificationUrl,
    underline: true,
    color: '#1d70b8',
  });
  textY = write(both('documents.evisa.conditions'), MARGIN, textY + 12, { font: 'sans-bold', size: 10, width: textWidth });
  for (const key of ['documents.evisa.condition.passport', 'documents.evisa.condition.match', 'documents.evisa.condition.extension']) {
    write('•', MARGIN, textY + 4, { size: 8 });
    textY = write(first(key), MARGIN + 9, textY + 4, { size: 8, width: textWidth - 9 });
    textY = write(second(key), MARGIN + 9, textY + 1, { size: 8, color: GREY, width: textWidth - 9 });
  }

  // Machine-readable zone at the foot, below a clear line: 36 characters at 7.2 pt (10 per inch).
  const mrzTop = A4.height - MARGIN - 36;
  doc
    .moveTo(MARGIN, mrzTop - 14)
    .lineTo(A4.width - MARGIN, mrzTop - 14)
    .lineWidth(0.5)
    .strokeColor(GREY)
    .stroke();
  doc.font('Courier').fontSize(12).fillColor('#000000');
  doc.text(mrz.line1, MARGIN, mrzTop, { lineBreak: false });
  doc.text(mrz.line2, MARGIN, mrzTop + 18, { lineBreak: false });

  doc.end();
  return done;
}

/** Renders eVisa PDFs in the worker. See `renderEvisaPdf`. */
@Injectable()
export class EvisaPdfRenderer {
  constructor(private readonly messages: Messages) {}

  render(data: EvisaDocumentData, seal: Uint8Array): Promise<Buffer> {
    return renderEvisaPdf(data, seal, this.messages);
  }
}
