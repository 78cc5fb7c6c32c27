// Requests refused before any route runs, over a real socket: Node's HTTP parser (431, 400) and
// Fastify (413, 400 bad JSON, 415, 404) must answer in the portal's one error shape, like any route.
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { startTestStack, type TestStack } from './harness/app.js';
import { signInOfficer } from './harness/identity.js';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `request` as bytes on a new connection and reads the answer until the server closes or
 * sends the whole body. The server may close while a huge request is still being written: the
 * answer it sent first is what counts.
 */
function exchange(port: number, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const parse = (): RawResponse | null => {
      const text = received.toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return null;
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const body = received.subarray(Buffer.byteLength(text.slice(0, end + 4)));
      if (body.length < Number(headers['content-length'] ?? Infinity)) return null;
      return { status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8') };
    };
    const finish = () => {
      socket.destroy();
      const response = parse();
      if (response) resolve(response);
      else reject(new Error(`no complete answer: ${JSON.stringify(received.toString('utf8').slice(0, 500))}`));
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (parse()) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(request);
  });
}

const get = (path: string, headers = '') => `GET ${path} HTTP/1.1\r\nhost: localhost\r\naccept: application/json\r\n${headers}\r\n`;
const post = (path: string, contentType: string, body: string) =>
  `POST ${path} HTTP/1.1\r\nhost: localhost\r\naccept: application/json\r\ncontent-type: ${contentType}\r\n` +
  `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/** The portal's error shape, its correlation id also in x-request-id, with the headers every response carries. */
function expectPortalError(response: RawResponse, status: number, code: string): void {
  expect([response.status, response.headers['content-type']]).toEqual([status, 'application/json; charset=utf-8']);
  const parsed = JSON.parse(response.body) as { error: Record<string, unknown> };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'correlationId', 'message']);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message).toEqual(expect.any(String));
  expect(parsed.error.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  expect(response.headers['x-request-id']).toBe(parsed.error.correlationId);
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['content-security-policy']).toContain("default-src 'self'");
}

describe('requests refused before routing, on a listening server', () => {
  let stack: TestStack;
  let port: number;

  beforeAll(async () => {
    stack = await startTestStack({ env: { BODY_LIMIT_BYTES: '2048' } });
    await stack.api.listen({ port: 0, host: '127.0.0.1' });
    port = (stack.api.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('431 for a 100 kB URL and for oversized headers, from the HTTP parser', async () => {
    expectPortalError(await exchange(port, get(`/status?q=${'a'.repeat(100_000)}`)), 431, 'HEADERS_TOO_LARGE');
    expectPortalError(await exchange(port, get('/', `x-padding: ${'b'.repeat(20_000)}\r\n`)), 431, 'HEADERS_TOO_LARGE');
  });

  it('400 for a request the HTTP parser cannot read', async () => {
    expectPortalError(await exchange(port, 'GET / HTTP/1.1\r\nhost: localhost\r\nthis is no header\r\n\r\n'), 400, 'BAD_REQUEST');
  });

  it('413 for a body over BODY_LIMIT_BYTES, 400 for broken JSON, 415 for a content type nobody parses', async () => {
    const big = JSON.stringify({ nationality: 'PHL', padding: 'x'.repeat(10_000) });
    expectPortalError(await exchange(port, post('/api/v1/evisa/drafts', 'application/json', big)), 413, 'PAYLOAD_TOO_LARGE');
    expectPortalError(await exchange(port, post('/api/v1/evisa/drafts', 'application/json', '{"nationality":')), 400, 'BAD_REQUEST');
    expectPortalError(
      await exchange(port, post('/api/v1/evisa/drafts', 'application/xml', '<nationality>PHL</nationality>')),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('404 for an unknown route and an unknown method', async () => {
    expectPortalError(await exchange(port, get('/api/v1/nothing-here')), 404, 'NOT_FOUND');
    expectPortalError(
      await exchange(port, `PATCH /favicon.ico HTTP/1.1\r\nhost: localhost\r\naccept: application/json\r\n\r\n`),
      404,
      'NOT_FOUND',
    );
  });

  it('serves /favicon.ico: a real icon, cacheable, for signed-in officers too', async () => {
    const officer = await signInOfficer(stack.api);
    for (const headers of [{}, { cookie: officer.cookie }] as Record<string, string>[]) {
      const response = await fetch(`http://127.0.0.1:${port}/favicon.ico`, { headers });
      expect([response.status, response.headers.get('content-type'), response.headers.get('cache-control')]).toEqual([
        200,
        'image/x-icon',
        'public, max-age=86400',
      ]);
      const icon = Buffer.from(await response.arrayBuffer());
      // ICONDIR: reserved 0, type 1 (icon), then the number of images: 16, 32 and 48 pixels, each a PNG.
      expect([icon.readUInt16LE(0), icon.readUInt16LE(2), icon.readUInt16LE(4)]).toEqual([0, 1, 3]);
      const sizes = [0, 1, 2].map((i) => icon.readUInt8(6 + 16 * i));
      expect(sizes).toEqual([16, 32, 48]);
      const firstImage = icon.readUInt32LE(6 + 12);
      expect(icon.subarray(firstImage, firstImage + 8).toString('latin1')).toBe('\x89PNG\r\n\x1a\n');
    }
  });
});
