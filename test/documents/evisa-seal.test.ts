import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { spawnSync } from 'node:child_process';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { InjectOptions } from 'fastify';
import { createApi } from '../../apps/api/src/bootstrap.js';
import { PlatformModule } from '@app/platform';
import {
  base32Encode,
  decodeSeal,
  DocumentsModule,
  type EvisaDocumentData,
  EvisaPdfRenderer,
  parseMrvB,
  SEAL_VERIFICATIONS_PER_MINUTE,
  SealService,
  verifySeal,
} from '@app/documents';
import { startTestStack, type TestStack } from '../harness/app.js';
import { sealSigningKey, testConfig } from '../harness/context.js';

const evisa: EvisaDocumentData = {
  locale: 'zh-Hant',
  visaNumber: 'TW0012345',
  surname: "O'Connor-Núñez",
  givenNames: 'María José',
  nativeName: '王小明',
  sex: 'F',
  dateOfBirth: '1990-02-28',
  placeOfBirth: 'Cebu City',
  nationality: 'PHL',
  passportNumber: 'P1234567A',
  passportExpiry: '2031-05-01',
  purpose: 'tourism',
  entries: 'single',
  durationOfStayDays: 30,
  validFrom: '2026-01-15',
  validUntil: '2026-04-14',
  issueDate: '2026-01-15',
  issuingPost: { code: 'MNL', nameEn: 'Taipei Economic and Cultural Office in the Philippines', nameZh: '駐菲律賓代表處' },
  verificationUrl: 'https://consular.example.gov/verify',
};

function run(command: string, args: string[]): Buffer {
  const result = spawnSync(command, args);
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr.toString()}`);
  return result.stdout;
}

interface PublishedKey {
  keyId: string;
  issuingCountry: string;
  signerIdentifier: string;
  certificateReference: string;
  active: boolean;
  jwk: JsonWebKey;
  pem: string;
}

describe('eVisa PDF, seal and public verification', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let workDir: string;
  const signingKeys = { OLD: sealSigningKey(), NEW: sealSigningKey() };

  beforeAll(async () => {
    stack = await startTestStack({ env: { SEAL_SIGNING_KEYS: `OLD:${signingKeys.OLD}`, SEAL_ACTIVE_KEY: 'OLD' } });
    app = stack.api;
    workDir = fs.mkdtempSync(path.join(process.env.TEST_WORK_DIR!, 'evisa-'));
  });

  afterAll(async () => {
    await stack?.close();
  });

  const inject = (options: InjectOptions, target = app) => target.getHttpAdapter().getInstance().inject(options);
  const verifyThroughApi = async (seal: string, remoteAddress = '127.0.0.1', target = app) => {
    const response = await inject({ method: 'POST', url: '/api/v1/verify/seal', payload: { seal }, remoteAddress }, target);
    return {
      status: response.statusCode,
      body: JSON.parse(response.body) as Record<string, unknown> & { features?: Record<string, unknown> },
    };
  };

  it('renders an eVisa whose MRZ pdftotext reads with valid check digits, and whose QR code zbarimg decodes to a seal that verifies against the published key', async () => {
    const seal = app.get(SealService).createSeal(evisa);
    const pdf = await app.get(EvisaPdfRenderer).render(evisa, seal);
    const pdfFile = path.join(workDir, 'evisa.pdf');
    fs.writeFileSync(pdfFile, pdf);

    const text = run('pdftotext', ['-layout', pdfFile, '-']).toString('utf8');
    const lines = text.split('\n').map((line) => line.trim());
    const line1 = lines.find((line) => /^V<TWN[A-Z<]{31}$/.test(line));
    const line2 = lines.find((line) => /^TW0012345\d[A-Z0-9<]{26}$/.test(line));
    expect([line1, line2]).toEqual(['V<TWNOCONNOR<NUNEZ<<MARIA<JOSE<<<<<<', 'TW00123452PHL9002281F2604147<<<<<<<<']);
    expect(parseMrvB(line1!, line2!)).toMatchObject({
      valid: true,
      surname: 'OCONNOR NUNEZ',
      visaNumber: 'TW0012345',
      validUntil: '260414',
    });
    expect(text).toContain('王小明');
    expect(text).toContain('電子簽證');

    run('pdftoppm', ['-r', '200', '-png', '-singlefile', pdfFile, path.join(workDir, 'page')]);
    const scanned = run('zbarimg', ['--raw', '-q', '-Sbinary', path.join(workDir, 'page.png')]);
    expect(scanned.equals(seal)).toBe(true);

    const keys = await inject({ method: 'GET', url: '/api/v1/verify/keys' });
    expect(keys.statusCode).toBe(200);
    const published = (JSON.parse(keys.body) as { keys: PublishedKey[] }).keys;
    expect(
      published.map(({ keyId, signerIdentifier, certificateReference, active }) => ({
        keyId,
        signerIdentifier,
        certificateReference,
        active,
      })),
    ).toEqual([{ keyId: 'OLD', signerIdentifier: 'TWEV', certificateReference: 'OLD', active: true }]);
    expect(published[0]!.pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(published[0]!.jwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'OLD', alg: 'ES256' });
    expect(published[0]!.jwk).not.toHaveProperty('d');
    // Offline, as a border officer would: the published JWK and the bytes from the QR code.
    const offline = verifySeal(
      scanned,
      published.map((key) => ({ ...key, publicKey: createPublicKey({ key: key.jwk, format: 'jwk' }) })),
    );
    expect(offline.valid).toBe(true);
    const fromPem = verifySeal(
      scanned,
      published.map((key) => ({ ...key, publicKey: createPublicKey(key.pem) })),
    );
    expect(fromPem.valid).toBe(true);
  });

  it('answers POST /api/v1/verify/seal with the features of a valid seal, given as hex, base32 or QR text', async () => {
    const seal = app.get(SealService).createSeal(evisa, '2026-01-16');
    for (const input of [seal.toString('hex'), base32Encode(seal), seal.toString('latin1')]) {
      const { status, body } = await verifyThroughApi(input);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        valid: true,
        signer: { keyId: 'OLD', issuingCountry: 'TWN', signerIdentifier: 'TWEV', certificateReference: 'OLD' },
        documentIssueDate: '2026-01-15',
        signatureCreationDate: '2026-01-16',
        features: {
          mrz: 'V<TWNOCONNOR<NUNEZ<<MARIA<JOSE<<<<<<TW00123452PHL9002281F2604147',
          mrzFields: { valid: true, surname: 'OCONNOR NUNEZ', givenNames: 'MARIA JOSE', nationality: 'PHL', sex: 'F' },
          entries: 1,
          durationOfStay: { days: 30, months: 0, years: 0 },
          passportNumber: 'P1234567A',
          visaType: '01',
          purpose: 'tourism',
        },
      });
    }
  });

  it('answers valid: false (status 200, no content) for a seal with one flipped byte, and never a 500', async () => {
    const seal = app.get(SealService).createSeal(evisa);
    for (const index of [1, 10, 40, seal.length - 70, seal.length - 1]) {
      const tampered = Buffer.from(seal);
      tampered[index]! ^= 0x04;
      const { status, body } = await verifyThroughApi(tampered.toString('hex'));
      expect(status).toBe(200);
      expect(body.valid).toBe(false);
      expect(['MALFORMED', 'UNKNOWN_SIGNER', 'BAD_SIGNATURE']).toContain(body.reason);
      expect(body.features).toBeUndefined();
    }
    const flippedSignature = Buffer.from(seal);
    flippedSignature[seal.length - 1]! ^= 0x01;
    expect((await verifyThroughApi(flippedSignature.toString('hex'))).body).toMatchObject({ valid: false, reason: 'BAD_SIGNATURE' });
    expect((await verifyThroughApi('not a seal at all')).body).toMatchObject({ valid: false, reason: 'MALFORMED' });
  });

  it('refuses a body that is not { seal: string } of at most 2048 characters with 400 and the one error shape', async () => {
    for (const payload of [{}, { seal: '' }, { seal: 42 }, { seal: 'a'.repeat(2049) }, { seal: 'dc03', extra: true }]) {
      const response = await inject({ method: 'POST', url: '/api/v1/verify/seal', payload });
      expect(response.statusCode).toBe(400);
      const body = JSON.parse(response.body) as { error: { code: string; correlationId: string } };
      expect(body.error.code).toBe('VALIDATION_FAILED');
      expect(body.error.correlationId).toBeTruthy();
    }
  });

  it('limits verifications per IP and counts them in Prometheus', async () => {
    const ip = '203.0.113.77';
    for (let i = 0; i < SEAL_VERIFICATIONS_PER_MINUTE; i++) {
      expect((await verifyThroughApi('dc', ip)).status).toBe(200);
    }
    const limited = await inject({ method: 'POST', url: '/api/v1/verify/seal', payload: { seal: 'dc' }, remoteAddress: ip });
    expect(limited.statusCode).toBe(429);
    expect(JSON.parse(limited.body).error.code).toBe('TOO_MANY_REQUESTS');
    expect((await verifyThroughApi('dc', '203.0.113.78')).status).toBe(200);

    const metrics = (await inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/seal_verifications_total\{result="valid"\} [1-9]/);
    expect(metrics).toMatch(/seal_verifications_total\{result="BAD_SIGNATURE"\} [1-9]/);
    expect(metrics).toMatch(/seal_verifications_total\{result="MALFORMED"\} [1-9]/);
    expect(metrics).toMatch(/seal_verifications_total\{result="rate_limited"\} 1\b/);
  });

  it('keeps verifying seals signed before a key rotation, and signs new seals with the new key', async () => {
    const oldSeal = app.get(SealService).createSeal(evisa);
    const rotated = await createApi(
      testConfig(stack.db.url, { SEAL_SIGNING_KEYS: `OLD:${signingKeys.OLD},NEW:${signingKeys.NEW}`, SEAL_ACTIVE_KEY: 'NEW' }),
    );
    try {
      await rotated.init();
      await rotated.getHttpAdapter().getInstance().ready();
      const newSeal = rotated.get(SealService).createSeal(evisa);
      expect((await verifyThroughApi(oldSeal.toString('hex'), '127.0.0.1', rotated)).body).toMatchObject({
        valid: true,
        signer: { keyId: 'OLD' },
      });
      expect((await verifyThroughApi(newSeal.toString('hex'), '127.0.0.1', rotated)).body).toMatchObject({
        valid: true,
        signer: { keyId: 'NEW' },
      });
      const keys = JSON.parse((await inject({ method: 'GET', url: '/api/v1/verify/keys' }, rotated)).body) as { keys: PublishedKey[] };
      expect(keys.keys.map((key) => [key.keyId, key.active])).toEqual([
        ['OLD', false],
        ['NEW', true],
      ]);
      // The app that only knows the old key cannot vouch for the new one.
      expect((await verifyThroughApi(newSeal.toString('hex'))).body).toMatchObject({ valid: false, reason: 'UNKNOWN_SIGNER' });
    } finally {
      await rotated.close();
    }
  });

  it('wires into an application context without HTTP, as the worker will import DocumentsModule', async () => {
    const worker = await Test.createTestingModule({
      imports: [PlatformModule.forRoot(testConfig(stack.db.url)), DocumentsModule],
    }).compile();
    try {
      const seal = worker.get(SealService).createSeal(evisa);
      expect(decodeSeal(seal).header.certificateReference).toBe('S1');
      const pdf = await worker.get(EvisaPdfRenderer).render(evisa, seal);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    } finally {
      await worker.close();
    }
  });
});
