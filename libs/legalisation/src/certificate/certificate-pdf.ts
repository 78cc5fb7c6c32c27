import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { sealQrPng } from '@app/documents';
import type { Locale, Messages, Translate } from '@app/platform';

export interface CertificateData {
  certificateNumber: string;
  /** YYYY-MM-DD, at the issuing post. */
  issuedOn: string;
  reference: string;
  locale: Locale;
  post: { nameEn: string; nameZh: string };
  items: { documentType: string; issuingCountry: string; originals: number; extraCopies: number }[];
  /** The register's page with the number and date filled in: what the QR code holds. */
  registerUrl: string;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 48;
const GREY = '#505a5f';
const INK = '#0b0c0c';

function fontFile(name: string): Buffer {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-tc')), '..', 'fonts');
  return fs.readFileSync(path.join(dir, name));
}

/** PDF dates as pdfkit writes them, from the issue date: the same input gives the same metadata. */
const pdfDate = (day: string) => new Date(`${day}T00:00:00Z`);

/**
 * The authentication certificate, in the applicant's language first and the other second: its
 * number and issue date, the issuing post, what was authenticated (types and counts, no personal
 * data), what authentication means, and a QR code to the public register. Noto Sans Hant covers both.
 */
export async function renderCertificatePdf(data: CertificateData, messages: Messages): Promise<Buffer> {
  const [first, second]: [Translate, Translate] =
    data.locale === 'zh-Hant'
      ? [messages.translator('zh-Hant'), messages.translator('en')]
      : [messages.translator('en'), messages.translator('zh-Hant')];
  const both = (key: string, params?: Record<string, string | number>) => `${first(key, params)} / ${second(key, params)}`;
  const qr = await sealQrPng(Buffer.from(data.registerUrl, 'utf8'), 4);

  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    pdfVersion: '1.7',
    lang: data.locale,
    displayTitle: true,
    info: {
      Title: both('legalisation.pdf.title'),
      Creator: 'Consular Services Portal',
      Producer: 'Consular Services Portal',
      CreationDate: pdfDate(data.issuedOn),
      ModDate: pdfDate(data.issuedOn),
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

  write(first('legalisation.pdf.title'), { bold: true, size: 20 });
  write(second('legalisation.pdf.title'), { size: 13, color: GREY });
  doc.moveDown();
  write(`${both('legalisation.field.certificateNumber')}: ${data.certificateNumber}`, { bold: true, size: 13 });
  write(`${both('legalisation.verify.issuedOn')}: ${data.issuedOn}`);
  write(`${both('legalisation.verify.issuedBy')}: ${data.post.nameEn} / ${data.post.nameZh}`);
  write(`${both('legalisation.field.reference')}: ${data.reference}`);
  doc.moveDown();
  write(both('legalisation.pdf.documents'), { bold: true, size: 12 });
  data.items.forEach((item, index) => {
    const type = `${first(`legalisation.documentType.${item.documentType}`)} / ${second(`legalisation.documentType.${item.documentType}`)}`;
    write(
      `${index + 1}. ${type} — ${item.issuingCountry}: ${both('legalisation.check.counts', { originals: item.originals, copies: item.extraCopies })}`,
    );
  });
  doc.moveDown();
  write(first('legalisation.start.what'));
  write(second('legalisation.start.what'), { color: GREY });
  doc.moveDown();
  write(both('legalisation.pdf.verify'), { bold: true });
  const qrTop = doc.y + 6;
  doc.image(qr, MARGIN, qrTop, { width: 132 });
  doc.y = qrTop + 140;
  write(data.registerUrl, { size: 8.5, color: GREY });
  doc.end();
  return done;
}
