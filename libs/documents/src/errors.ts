import { registerErrorCodes } from '@app/platform';

export const DocumentErrors = registerErrorCodes({
  /** A name holds letters with no A–Z transliteration (Chinese, Cyrillic, digits…): the MRZ cannot carry it. */
  NAME_NOT_LATIN: 422,
  /** A value that cannot go into a machine-readable zone (visa number, date, nationality, sex…). */
  MRZ_FIELD_INVALID: 422,
  /** Two MRZ lines that are not an MRV-B (wrong length, characters or layout). */
  MRZ_INVALID: 422,
  /** Bytes or text that are not a Visible Digital Seal this system can read. */
  SEAL_MALFORMED: 422,
  /** A seal handed to the PDF renderer that was made for other data. */
  SEAL_DOES_NOT_MATCH: 422,
  /** A holder photo that is neither a readable JPEG nor PNG. */
  PHOTO_UNREADABLE: 422,
});
