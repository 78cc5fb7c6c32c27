import type { Locale, Messages } from '@app/platform';
import { openBilingualPdf, PDF_GREY, PDF_MARGIN, sealQrPng } from '@app/documents';

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

/**
 * The authentication certificate, in the applicant's language first and the other second: its
 * number and issue date, the issuing post, what was authenticated (types and counts, no personal
 * data), what authentication means, and a QR code to the public register.
 */
export async function renderCertificatePdf(data: CertificateData, messages: Messages): Promise<Buffer> {
  const qr = await sealQrPng(Buffer.from(data.registerUrl, 'utf8'), 4);
  const { doc, first, second, both, write, finish } = openBilingualPdf({
    locale: data.locale,
    titleKey: 'legalisation.pdf.title',
    issuedOn: data.issuedOn,
    messages,
  });
  write(first('legalisation.pdf.title'), { bold: true, size: 20 });
  write(second('legalisation.pdf.title'), { size: 13, color: PDF_GREY });
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
  write(second('legalisation.start.what'), { color: PDF_GREY });
  doc.moveDown();
  write(both('legalisation.pdf.verify'), { bold: true });
  const qrTop = doc.y + 6;
  doc.image(qr, PDF_MARGIN, qrTop, { width: 132 });
  doc.y = qrTop + 140;
  write(data.registerUrl, { size: 8.5, color: PDF_GREY });
  return finish();
}
