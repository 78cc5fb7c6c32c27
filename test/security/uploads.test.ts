import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@app/platform';
import { startTestStack, type TestStack } from '../harness/app.js';
import { fastifyOf, signInOfficer, type SignedInOfficer } from '../harness/identity.js';
import { browserInjector, completeDraft, multipart, photoWithExif } from '../evisa/helpers.js';

const SCRIPT = '<html><body><script>alert(document.cookie)</script></body></html>';

/** A PNG chunk: length, type, data and the CRC over type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A tiny PNG whose header claims width × height pixels: a decoder that trusts it allocates gigabytes. */
function pixelBomb(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.alloc(1 + width * 3);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat([row, row]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG passport-page image carrying a script in a tEXt chunk. */
async function pngWithScriptChunk(): Promise<Buffer> {
  const png = await sharp({ create: { width: 1000, height: 700, channels: 3, background: '#eeeeee' } })
    .png()
    .toBuffer();
  const iend = png.length - 12;
  return Buffer.concat([png.subarray(0, iend), chunk('tEXt', Buffer.from(`Comment\0${SCRIPT}`, 'latin1')), png.subarray(iend)]);
}

/** A JPEG with a script in a comment segment (FF FE) right after the start marker. */
function jpegWithScriptComment(jpeg: Buffer): Buffer {
  const comment = Buffer.from(SCRIPT, 'latin1');
  const marker = Buffer.from([0xff, 0xfe, (comment.length + 2) >> 8, (comment.length + 2) & 0xff]);
  return Buffer.concat([jpeg.subarray(0, 2), marker, comment, jpeg.subarray(2)]);
}

/** A well-formed PDF whose one stream inflates to `inflatedBytes` of zeros (a zip bomb inside a PDF). */
function pdfBomb(inflatedBytes: number): Buffer {
  const stream = zlib.deflateSync(Buffer.alloc(inflatedBytes), { level: 9 });
  return Buffer.concat([
    Buffer.from(`%PDF-1.7\n1 0 obj\n<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'),
    stream,
    Buffer.from('\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1'),
  ]);
}

/**
 * Hostile uploads and file downloads. An upload is refused, or stored inertly — images decoded and
 * re-encoded (so whatever rode along is gone), PDFs kept byte for byte and never opened — and is
 * only ever served as the image or PDF it was sniffed to be, with nosniff and a sandboxing CSP,
 * never as HTML. Download routes take no path from the caller: `../` in any encoding finds nothing.
 */
describe('hostile uploads and path traversal', () => {
  let stack: TestStack;
  let config: AppConfig;
  let app: NestFastifyApplication;
  let dataSource: DataSource;
  let officer: SignedInOfficer;
  let draft: { token: string; caseId: string };

  beforeAll(async () => {
    stack = await startTestStack();
    ({ config, api: app } = stack);
    dataSource = app.get(DataSource);
    officer = await signInOfficer(app, { roles: ['officer'], postCode: 'HQ-TPE' });
    draft = await completeDraft(await browserInjector(app));
  });

  afterAll(async () => {
    await stack?.close();
  });

  const upload = (slot: 'photo' | 'passport-page', filename: string, data: Buffer, contentType = 'application/octet-stream') => {
    const body = multipart([{ name: 'file', filename, contentType, data }]);
    return fastifyOf(app).inject({
      method: 'POST',
      url: `/api/v1/evisa/draft/files/${slot}`,
      headers: { ...body.headers, 'x-draft-token': draft.token },
      payload: body.payload,
    });
  };
  const fileRows = async () => Number(((await dataSource.query(`SELECT count(*) AS n FROM file`)) as { n: string }[])[0]!.n);
  const storedBytes = async (fileId: string) => {
    const [row] = (await dataSource.query(`SELECT storage_key FROM file WHERE id = $1`, [fileId])) as { storage_key: string }[];
    return fs.readFileSync(path.join(config.storageDir, row!.storage_key.slice(0, 2), row!.storage_key));
  };
  /** How an officer's browser gets the file: the workspace's inline view. */
  const served = (fileId: string) =>
    fastifyOf(app).inject({
      method: 'GET',
      url: `/officer/cases/${draft.caseId}/files/${fileId}`,
      headers: { ...officer.headers, accept: 'text/html' },
    });

  it.each([
    [
      'HTML behind a JPEG signature',
      'photo',
      'me.jpg',
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(SCRIPT)]),
      'FILE_UNREADABLE',
    ],
    [
      'an SVG with a script',
      'photo',
      'me.svg',
      Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${SCRIPT}</svg>`),
      'FILE_TYPE_NOT_ALLOWED',
    ],
    [
      'an SVG named .jpg',
      'photo',
      'me.jpg',
      Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
      'FILE_TYPE_NOT_ALLOWED',
    ],
    ['an HTML page', 'passport-page', 'page.html', Buffer.from(SCRIPT), 'FILE_TYPE_NOT_ALLOWED'],
    [
      'a zip archive named .pdf',
      'passport-page',
      'page.pdf',
      Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), zlib.deflateRawSync(Buffer.alloc(1_000_000))]),
      'FILE_TYPE_NOT_ALLOWED',
    ],
    ['a PDF named .jpg', 'passport-page', 'page.jpg', pdfBomb(1000), 'FILE_TYPE_MISMATCH'],
    ['a PNG claiming 30000 × 30000 pixels', 'passport-page', 'page.png', pixelBomb(30_000, 30_000), 'FILE_UNREADABLE'],
  ] as const)('refuses %s and stores nothing', async (_label, slot, filename, data, code) => {
    const before = await fileRows();
    const response = await upload(slot, filename, data, filename.endsWith('.svg') ? 'image/svg+xml' : 'image/jpeg');
    expect([response.statusCode, (response.json() as { error: { code: string } }).error.code]).toEqual([422, code]);
    expect(await fileRows()).toBe(before);
  });

  it('refuses a file over the size limit with 413', async () => {
    const response = await upload('passport-page', 'big.pdf', Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(11 * 1_048_576)]));
    expect(response.statusCode).toBe(413);
  });

  it.each([
    [
      'a JPEG with an HTML page appended',
      'photo',
      'me.jpg',
      async () => Buffer.concat([await photoWithExif(), Buffer.from(SCRIPT)]),
      'image/jpeg',
    ],
    [
      'a JPEG with a script in a comment segment',
      'photo',
      'me.jpg',
      async () => jpegWithScriptComment(await photoWithExif()),
      'image/jpeg',
    ],
    ['a PNG with a script in a text chunk', 'passport-page', 'page.png', pngWithScriptChunk, 'image/png'],
  ] as const)(
    're-encodes %s, so what rode along is not stored, and serves it only as an image',
    async (_label, slot, filename, make, type) => {
      const original = await make();
      const response = await upload(slot, filename, original);
      expect(response.statusCode).toBe(201);
      const { fileId, mimeType } = response.json() as { fileId: string; mimeType: string };
      expect(mimeType).toBe(type);
      const stored = await storedBytes(fileId);
      expect(stored.equals(original)).toBe(false);
      expect(stored.toString('latin1')).not.toContain('<script');
      const view = await served(fileId);
      expect([view.statusCode, view.headers['content-type'], view.headers['x-content-type-options']]).toEqual([200, type, 'nosniff']);
      expect(view.headers['content-security-policy']).toContain('sandbox');
      expect(view.rawPayload.toString('latin1')).not.toContain('<script');
    },
  );

  it('stores a PDF holding HTML, or a zip bomb, byte for byte without opening it, and serves it only as a sandboxed PDF', async () => {
    for (const [filename, data] of [
      ['page.pdf', Buffer.from(`%PDF-1.4\n${SCRIPT}\n%%EOF`)],
      ['bomb.pdf', pdfBomb(64 * 1_048_576)],
    ] as const) {
      const response = await upload('passport-page', filename, data);
      expect([filename, response.statusCode]).toEqual([filename, 201]);
      const { fileId, sha256, mimeType } = response.json() as { fileId: string; sha256: string; mimeType: string };
      expect([mimeType, sha256]).toEqual(['application/pdf', createHash('sha256').update(data).digest('hex')]);
      const view = await served(fileId);
      expect([view.statusCode, view.headers['content-type'], view.headers['x-content-type-options']]).toEqual([
        200,
        'application/pdf',
        'nosniff',
      ]);
      expect(view.headers['content-security-policy']).toContain('sandbox');
      expect(view.rawPayload.length).toBe(data.length);
    }
  });

  it('stores an upload under a random key whatever its name says', async () => {
    const response = await upload('photo', '../../../../tmp/evil.jpg', await photoWithExif());
    expect(response.statusCode).toBe(201);
    const keys = (await dataSource.query(`SELECT storage_key FROM file`)) as { storage_key: string }[];
    expect(keys.every((k) => /^[0-9a-f-]{36}$/.test(k.storage_key))).toBe(true);
    const everything = fs.readdirSync(config.storageDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(everything.every((entry) => /^[0-9a-f-]{36}$/.test(entry.name))).toBe(true);
  });

  it('finds no file through ../ in any encoding, on the file, document and static routes', async () => {
    const [photo] = (await dataSource.query(`SELECT id, storage_key FROM file WHERE case_id = $1 LIMIT 1`, [draft.caseId])) as {
      id: string;
      storage_key: string;
    }[];
    const traversals = [
      '../../../../etc/passwd',
      '..%2F..%2F..%2F..%2Fetc%2Fpasswd',
      '%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
      '%252e%252e%252f%252e%252e%252fpackage.json',
      '..%5C..%5C..%5Cpackage.json',
      '%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afpackage.json',
      '....%2F%2F....%2F%2Fpackage.json',
      `${photo!.id}%00.jpg`,
      `${photo!.id}%2F..%2F..%2F..%2Fpackage.json`,
      photo!.storage_key.replace(/-/g, ''),
      `..%2F${photo!.storage_key.slice(0, 2)}%2F${photo!.storage_key}`,
    ];
    const urls = [
      ...traversals.flatMap((t) => [`/api/v1/officer/cases/${draft.caseId}/files/${t}`, `/officer/cases/${draft.caseId}/files/${t}`]),
      ...traversals.flatMap((t) => [`/api/v1/evisa/document?t=${t}`, `/evisa/document?t=${t}`]),
      ...traversals.map((t) => `/static/${t}`),
      '/static/../package.json',
      '/static/%2e%2e/package.json',
      '/static//etc/passwd',
      '/static/..%2f..%2fREADME.md',
    ];
    const found: string[] = [];
    for (const url of urls) {
      const response = await fastifyOf(app).inject({ method: 'GET', url, headers: { ...officer.headers, accept: 'text/html' } });
      const body = response.rawPayload.toString('latin1');
      const leaked = ['root:x:0:0', '"name": "consular-portal"', '# Consular Services Portal', '\xff\xd8\xff'].some((s) =>
        body.includes(s),
      );
      // The static plugin answers 403 to a path it finds malicious (a NUL, an absolute path): no file either.
      const refused = url.startsWith('/static/') ? [400, 403, 404] : [400, 404];
      if (!refused.includes(response.statusCode) || leaked)
        found.push(`${url}: ${response.statusCode}${leaked ? ' with file content' : ''}`);
    }
    expect(found).toEqual([]);
  });
});
