import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { Locale, Messages, Translate } from '@app/platform';

export interface CardData {
  cardNumber: string;
  /** YYYY-MM-DD, at the processing post. */
  validFrom: string;
  validUntil: string;
  holderName: string;
  dateOfBirth: string;
  sex: string;
  nationality: string;
  passportNumber: string;
  locale: Locale;
  /** The economies that pre-cleared the holder, in the settings' order. */
  economies: { code: string; name: string; nameZh: string }[];
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 48;
const GREY = '#505a5f';
const INK = '#0b0c0c';

function fontFile(name: string): Buffer {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-tc')), '..', 'fonts');
  return fs.readFileSync(path.join(dir, name));
}

/** PDF dates from the issue date: the same input gives the same bytes. */
const pdfDate = (day: string) => new Date(`${day}T00:00:00Z`);

/**
 * The card's document, in the holder's language first and the other second: the card number and
 * validity, the holder as in the passport, and the economies that pre-cleared them (only those).
 * Noto Sans Hant covers both languages.
 */
export async function renderCardPdf(data: CardData, messages: Messages): Promise<Buffer> {
  const [first, second]: [Translate, Translate] =
    data.locale === 'zh-Hant'
      ? [messages.translator('zh-Hant'), messages.translator('en')]
      : [messages.translator('en'), messages.translator('zh-Hant')];
  const both = (key: string) => `${first(key)} / ${second(key)}`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    pdfVersion: '1.7',
    lang: data.locale,
    displayTitle: true,
    info: {
      Title: both('abtc.title'),
      Creator: 'Consular Services Portal',
      Producer: 'Consular Services Portal',
      CreationDate: pdfDate(data.validFrom),
      ModDate: pdfDate(data.validFrom),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('sans', fontFile('NotoSansHant-Regular.otf'));
  doc.registerFont('sans-bold', fontFile('NotoSansHant-Bold.otf'));
  const width = A4.width - 2 * MARGIN;
  const write = (text: string, options: { bold?: boolean; size?: number; color?: string } = {}) => {
    doc
      .font(options.bold ? 'sans-bold' : 'sans')
      .fontSize(options.size ?? 10.5)
      .fillColor(options.color ?? INK)
      .text(text, { width, lineGap: 2 });
  };

  write(first('abtc.title'), { bold: true, size: 20 });
  write(second('abtc.title'), { size: 13, color: GREY });
  doc.moveDown();
  write(`${both('abtc.field.cardNumber')}: ${data.cardNumber}`, { bold: true, size: 13 });
  write(`${both('abtc.field.validFrom')}: ${data.validFrom}`);
  write(`${both('abtc.field.validUntil')}: ${data.validUntil}`);
  doc.moveDown();
  write(`${both('abtc.field.name')}: ${data.holderName}`);
  write(`${both('abtc.field.dateOfBirth')}: ${data.dateOfBirth}`);
  write(`${both('abtc.field.sex')}: ${data.sex}`);
  write(`${both('abtc.field.nationality')}: ${data.nationality}`);
  write(`${both('abtc.field.passportNumber')}: ${data.passportNumber}`);
  doc.moveDown();
  write(both('abtc.status.cardEconomies'), { bold: true, size: 12 });
  for (const economy of data.economies) write(`${economy.code}  ${economy.name} / ${economy.nameZh}`);
  doc.end();
  return done;
}
