import sharp, { type OutputInfo } from 'sharp';
import { DomainException, FileErrors, type SniffedType, sniffMimeType } from '@app/platform';
import { EvisaErrors } from './errors.js';

export interface Upload {
  filename: string;
  bytes: Buffer;
}

export interface UploadRules {
  allowedTypes: readonly SniffedType[];
  maxBytes: number;
  /** For the photo: a portrait of at least this size whose width:height is `ratio` within `tolerance`. */
  photo?: { minWidth: number; minHeight: number; ratio: number; tolerance: number };
}

export const PHOTO_RULES: UploadRules = {
  allowedTypes: ['image/jpeg', 'image/png'],
  maxBytes: 5 * 1_048_576,
  photo: { minWidth: 600, minHeight: 800, ratio: 35 / 45, tolerance: 0.05 },
};
export const PASSPORT_PAGE_RULES: UploadRules = { allowedTypes: ['image/jpeg', 'image/png', 'application/pdf'], maxBytes: 10 * 1_048_576 };
export const ATTACHMENT_RULES: UploadRules = PASSPORT_PAGE_RULES;

const TYPE_BY_EXTENSION: Record<string, SniffedType> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', pdf: 'application/pdf' };

/**
 * Checks an upload before anything is stored: its size, the type its bytes show (never the name
 * or the browser's Content-Type), that the name's extension agrees with the bytes, and for a photo
 * its shape. Images are decoded and re-encoded upright with no metadata, so EXIF (GPS position,
 * camera serial, capture time) never reaches storage. Returns the bytes to store.
 */
export async function prepareUpload(upload: Upload, rules: UploadRules): Promise<{ bytes: Buffer; mimeType: SniffedType }> {
  if (upload.bytes.length === 0) throw new DomainException(EvisaErrors.FILE_REQUIRED, 'The selected file is empty.');
  if (upload.bytes.length > rules.maxBytes) {
    throw new DomainException(FileErrors.FILE_TOO_LARGE, `The file must be smaller than ${rules.maxBytes / 1_048_576} MB.`, {
      maxBytes: rules.maxBytes,
    });
  }
  const sniffed = sniffMimeType(upload.bytes);
  if (!sniffed || !rules.allowedTypes.includes(sniffed)) {
    throw new DomainException(FileErrors.FILE_TYPE_NOT_ALLOWED, `The file must be one of: ${rules.allowedTypes.join(', ')}.`);
  }
  const extension = /\.([A-Za-z0-9]{1,5})$/.exec(upload.filename)?.[1]?.toLowerCase() ?? '';
  if (TYPE_BY_EXTENSION[extension] !== sniffed) {
    throw new DomainException(EvisaErrors.FILE_TYPE_MISMATCH, 'The file’s name does not match its content.');
  }
  if (sniffed === 'application/pdf') return { bytes: upload.bytes, mimeType: sniffed };

  let output: { data: Buffer; info: OutputInfo };
  try {
    const image = sharp(upload.bytes, { failOn: 'error', limitInputPixels: 50_000_000 }).autoOrient();
    output = await (sniffed === 'image/png' ? image.png() : image.jpeg({ quality: 92, mozjpeg: true })).toBuffer({
      resolveWithObject: true,
    });
  } catch {
    throw new DomainException(EvisaErrors.FILE_UNREADABLE, 'The image could not be read. Save it again as JPEG or PNG and upload it.');
  }
  if (rules.photo) {
    const { width, height } = output.info;
    const { minWidth, minHeight, ratio, tolerance } = rules.photo;
    if (width < minWidth || height < minHeight || Math.abs(width / height - ratio) > ratio * tolerance) {
      throw new DomainException(
        EvisaErrors.PHOTO_DIMENSIONS,
        `The photo must be a portrait at least ${minWidth}×${minHeight} pixels with a 35:45 shape (it is ${width}×${height}).`,
        { width, height },
      );
    }
  }
  return { bytes: output.data, mimeType: sniffed };
}
