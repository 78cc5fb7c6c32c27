import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { Locale, Messages, Translate } from '@app/platform';

export const A4 = { width: 595.28, height: 841.89 };
export const PDF_MARGIN = 48;
export const PDF_GREY = '#505a5f';
const INK = '#0b0c0c';

function fontFile(name: string): Buffer {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-tc')), '..', 'fonts');
  return fs.readFileSync(path.join(dir, name));
}

/** A one-column A4 document in two languages, the reader's first, set in Noto Sans Hant (which covers both). */
export interface BilingualPdf {
  doc: PDFKit.PDFDocument;
  /** The reader's language, and the other one. */
  first: Translate;
  second: Translate;
  /** "reader's words / other words". */
  both(key: string, params?: Record<string, string | number>): string;
  /** A paragraph across the column. */
  write(text: string, options?: { bold?: boolean; size?: number; color?: string }): void;
  /** Ends the document and gives its bytes. */
  finish(): Promise<Buffer>;
}

/**
 * Opens a certificate-like PDF (the authentication certificate, the ABTC card). Its metadata dates
 * come from the issue date, so the same input gives the same bytes.
 */
export function openBilingualPdf(input: { locale: Locale; titleKey: string; issuedOn: string; messages: Messages }): BilingualPdf {
  const [first, second]: [Translate, Translate] =
    input.locale === 'zh-Hant'
      ? [input.messages.translator('zh-Hant'), input.messages.translator('en')]
      : [input.messages.translator('en'), input.messages.translator('zh-Hant')];
  const both = (key: string, params?: Record<string, string | number>) => `${first(key, params)} / ${second(key, params)}`;
  const issued = new Date(`${input.issuedOn}T00:00:00Z`);
  const doc = new PDFDocument({
    size: 'A4',
    margin: PDF_MARGIN,
    pdfVersion: '1.7',
    lang: input.locale,
    displayTitle: true,
    info: {
      Title: both(input.titleKey),
      Creator: 'Consular Services Portal',
      Producer: 'Consular Services Portal',
      CreationDate: issued,
      ModDate: issued,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const bytes = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('sans', fontFile('NotoSansHant-Regular.otf'));
  doc.registerFont('sans-bold', fontFile('NotoSansHant-Bold.otf'));
  const width = A4.width - 2 * PDF_MARGIN;
  return {
    doc,
    first,
    second,
    both,
    write(text, options = {}) {
      doc
        .font(options.bold ? 'sans-bold' : 'sans')
        .fontSize(options.size ?? 10.5)
        .fillColor(options.color ?? INK)
        .text(text, { width, lineGap: 2 });
    },
    finish() {
      doc.end();
      return bytes;
    },
  };
}
