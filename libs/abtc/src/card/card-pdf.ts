import type { Locale, Messages } from '@app/platform';
import { openBilingualPdf, PDF_GREY } from '@app/documents';

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

/**
 * The card's document, in the holder's language first and the other second: the card number and
 * validity, the holder as in the passport, and the economies that pre-cleared them (only those).
 */
export async function renderCardPdf(data: CardData, messages: Messages): Promise<Buffer> {
  const { doc, first, second, both, write, finish } = openBilingualPdf({
    locale: data.locale,
    titleKey: 'abtc.title',
    issuedOn: data.validFrom,
    messages,
  });
  write(first('abtc.title'), { bold: true, size: 20 });
  write(second('abtc.title'), { size: 13, color: PDF_GREY });
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
  return finish();
}
