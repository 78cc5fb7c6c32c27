import sharp, { type OutputInfo } from 'sharp';
import { DomainException, type SniffedType, sniffMimeType } from '@app/platform';
import { PassportErrors } from './errors.js';
import type { PassportSettings } from './settings.js';

/** Why a photo was refused, for the page's message: `passports.err.photo.<reason>`. */
export type PhotoProblem = 'missing' | 'tooLarge' | 'type' | 'unreadable' | 'dimensions';

export const PHOTO_TYPES: readonly SniffedType[] = ['image/jpeg', 'image/png'];

function refuse(reason: PhotoProblem, message: string): DomainException {
  return new DomainException(PassportErrors.PASSPORT_PHOTO_REFUSED, message, { reason });
}

/**
 * Checks a passport photo before anything is stored: its size, the type its bytes show (JPEG or
 * PNG by magic bytes — never the name or the browser's Content-Type), and a 35:45 portrait large
 * enough to print. The image is decoded and re-encoded upright without metadata, so EXIF (GPS
 * position, camera serial) never reaches storage. Returns the bytes to store.
 */
export async function preparePhoto(
  bytes: Buffer | undefined,
  rules: PassportSettings['photo'],
): Promise<{ bytes: Buffer; mimeType: SniffedType }> {
  if (!bytes || bytes.length === 0) throw refuse('missing', 'Choose a photo.');
  if (bytes.length > rules.maxBytes) throw refuse('tooLarge', `The photo must be smaller than ${rules.maxBytes / 1_048_576} MB.`);
  const sniffed = sniffMimeType(bytes);
  if (!sniffed || !PHOTO_TYPES.includes(sniffed)) throw refuse('type', 'The photo must be a JPEG or PNG image.');
  let output: { data: Buffer; info: OutputInfo };
  try {
    const image = sharp(bytes, { failOn: 'error', limitInputPixels: 50_000_000 }).autoOrient();
    output = await (sniffed === 'image/png' ? image.png() : image.jpeg({ quality: 90 })).toBuffer({ resolveWithObject: true });
  } catch {
    throw refuse('unreadable', 'The photo could not be read. Save it again as JPEG or PNG.');
  }
  const { width, height } = output.info;
  if (width < rules.minWidth || height < rules.minHeight || Math.abs(width / height - rules.ratio) > rules.ratio * rules.tolerance) {
    throw refuse(
      'dimensions',
      `The photo must be a 35:45 portrait of at least ${rules.minWidth}×${rules.minHeight} pixels (it is ${width}×${height}).`,
    );
  }
  return { bytes: output.data, mimeType: sniffed };
}
