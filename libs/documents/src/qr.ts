import QRCode from 'qrcode';

/**
 * The seal as a QR code PNG, in byte mode with the seal's raw bytes (ICAO 9303 Part 13 puts the
 * binary VDS in the barcode as is; zbarimg -Sbinary and phone scanners read it back byte for byte).
 * The PNG is 8-bit RGBA (what `qrcode` writes): pdfkit draws 1-bit palette PNGs wrongly.
 * Error correction M; a quiet zone of 4 modules as the QR standard asks.
 */
export async function sealQrPng(seal: Uint8Array, pixelsPerModule = 8): Promise<Buffer> {
  return QRCode.toBuffer([{ data: seal, mode: 'byte' }], {
    type: 'png',
    errorCorrectionLevel: 'M',
    margin: 4,
    scale: pixelsPerModule,
    color: { dark: '#000000ff', light: '#ffffffff' },
  });
}
