import QRCode from 'qrcode';
import sharp from 'sharp';

/** The quiet zone the QR standard asks for around the symbol, in modules. */
const QUIET_ZONE = 4;

/**
 * The seal as a QR code PNG, in byte mode with the seal's raw bytes (ICAO 9303 Part 13 puts the
 * binary VDS in the barcode as is; zbarimg -Sbinary and scanners read it back byte for byte).
 * Error correction M. `qrcode` computes the modules; sharp writes them as an 8-bit greyscale PNG:
 * pdfkit draws 1-bit palette PNGs wrongly, and qrcode's own PNG writer (pngjs) is slow.
 */
export async function sealQrPng(seal: Uint8Array, pixelsPerModule = 8): Promise<Buffer> {
  const { modules } = QRCode.create([{ data: seal, mode: 'byte' }], { errorCorrectionLevel: 'M' });
  const side = (modules.size + 2 * QUIET_ZONE) * pixelsPerModule;
  const pixels = Buffer.alloc(side * side, 0xff);
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; column++) {
      if (!modules.get(row, column)) continue;
      const top = (row + QUIET_ZONE) * pixelsPerModule;
      const left = (column + QUIET_ZONE) * pixelsPerModule;
      for (let y = top; y < top + pixelsPerModule; y++) pixels.fill(0x00, y * side + left, y * side + left + pixelsPerModule);
    }
  }
  return sharp(pixels, { raw: { width: side, height: side, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 9 })
    .toBuffer();
}
