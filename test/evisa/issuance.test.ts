import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, type JsonWebKey, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@app/platform';
import { CORE_JOBS, CaseSpine, OutboxRelay, QueueName, QueueRegistry } from '@app/cases';
import { base32Encode, EvisaPdfRenderer, parseMrvB, verifySeal } from '@app/documents';
import { ApplicationCipher, EVISA_VERIFICATIONS_PER_MINUTE, EvisaOfficerActions, RenderEvisaHandler } from '@app/evisa';
import { startTestStack, type WorkerStack } from '../harness/app.js';
import { eventually } from '../harness/context.js';
import { browserInjector, errorOf, expectNoInlineScript, type Inject, submittedApplication } from './helpers.js';
import { officerAt } from '../harness/officers.js';
import { machineOf } from '../harness/catalogue.js';
import { EVISA_JOBS } from '@app/evisa';

const HOUR = 3600 * 1000;

function run(command: string, args: string[]): Buffer {
  const result = spawnSync(command, args);
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr.toString()}`);
  return result.stdout;
}

const form = (values: Record<string, string>) => ({
  payload: new URLSearchParams(values).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
});

function cookie(response: LightMyRequestResponse, name: string): string {
  const found = response.cookies.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} cookie`);
  return `${name}=${found.value}`;
}

/** Every file the local storage adapter holds (finished writes only). */
function storedBlobs(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.partial'))
    .map((entry) => entry.name);
}

describe('eVisa issuance through the real queue, the download and the public register', () => {
  let stack: WorkerStack;
  let config: AppConfig;
  let api: NestFastifyApplication;
  let worker: INestApplicationContext;
  let dataSource: DataSource;
  let inject: Inject;
  let spine: CaseSpine;
  let actions: EvisaOfficerActions;
  const officer = officerAt('PH-MNL');

  beforeAll(async () => {
    stack = await startTestStack({ worker: true, ownDataSource: true });
    ({ config, api, worker, dataSource } = stack);
    inject = await browserInjector(api);
    spine = api.get(CaseSpine);
    actions = api.get(EvisaOfficerActions);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const caseRow = async (caseId: string) =>
    ((await dataSource.query(`SELECT status, version FROM "case" WHERE id = $1`, [caseId])) as { status: string; version: number }[])[0]!;

  const count = async (sql: string, caseId: string) => Number(((await dataSource.query(sql, [caseId])) as { n: string }[])[0]!.n);
  const documents = (caseId: string) => count(`SELECT count(*) AS n FROM generated_document WHERE case_id = $1`, caseId);
  const issuedEvents = (caseId: string) =>
    count(`SELECT count(*) AS n FROM case_event WHERE case_id = $1 AND type = 'evisa.issued'`, caseId);
  const pdfFiles = (caseId: string) => count(`SELECT count(*) AS n FROM file WHERE case_id = $1 AND kind = 'evisa-pdf'`, caseId);

  /** What the lead's "claim next" will do, then the officer's approval. */
  async function approve(caseId: string): Promise<void> {
    const { version } = await caseRow(caseId);
    const { case: claimed } = await dataSource.transaction((m) =>
      spine.transition(m, {
        machine: machineOf('evisa'),
        caseId,
        expectedVersion: version,
        to: 'IN_REVIEW',
        actor: { type: 'officer', id: officer.id },
        visibility: 'internal',
        set: { assignedOfficerId: officer.id, claimExpiresAt: new Date(Date.now() + HOUR) },
      }),
    );
    await dataSource.transaction((m) => actions.approve(m, caseId, claimed.version, officer));
  }

  async function revoke(caseId: string): Promise<void> {
    const { version } = await caseRow(caseId);
    await dataSource.transaction((m) => actions.revoke(m, caseId, version, officer, 'identity_mismatch'));
  }

  const visaNumberOf = async (caseId: string) =>
    ((await dataSource.query(`SELECT visa_number FROM evisa_application WHERE case_id = $1`, [caseId])) as { visa_number: string }[])[0]!
      .visa_number;

  const storedSeal = async (caseId: string, app: { get: NestFastifyApplication['get'] } = api) => {
    const [row] = (await dataSource.query(`SELECT seal FROM evisa_application WHERE case_id = $1`, [caseId])) as { seal: string | null }[];
    return row?.seal ? Buffer.from(app.get(ApplicationCipher).open(caseId, 'seal', row.seal)!, 'base64') : null;
  };

  const checkNumbers = (visaNumber: string, passportNumber: string) =>
    inject({ method: 'POST', url: '/api/v1/verify/evisa', payload: { visaNumber, passportNumber } });
  const checkSeal = (seal: string) => inject({ method: 'POST', url: '/api/v1/verify/evisa/seal', payload: { seal } });
  const checkSealPage = (seal: string) => inject({ method: 'POST', url: '/verify/seal?lang=en', ...form({ seal, _csrf: 'x' }) });

  it('issues an approved eVisa through the outbox and the worker; the applicant downloads it; the register answers valid, expired, revoked and not found', async () => {
    const { caseId, reference } = await submittedApplication(inject);
    await approve(caseId);
    expect(
      (
        await eventually(
          () => caseRow(caseId),
          (row) => row.status === 'ISSUED',
          30_000,
        )
      ).status,
    ).toBe('ISSUED');
    expect([await documents(caseId), await issuedEvents(caseId), await pdfFiles(caseId)]).toEqual([1, 1, 1]);
    const visaNumber = await visaNumberOf(caseId);

    // The holder shares the eVisa: a third party sees what the eVisa shows, and nothing it does not.
    const status = await inject({
      method: 'POST',
      url: '/api/v1/status',
      payload: { reference, surname: 'Dela Cruz', dateOfBirth: '1990-04-27' },
    });
    expect(status.statusCode).toBe(200);
    const held = JSON.parse(status.body) as { accessToken: string; documents: { id: string }[] };
    expect(held.documents).toHaveLength(1);
    const shared = await inject({
      method: 'POST',
      url: '/api/v1/share-codes',
      payload: { accessToken: held.accessToken, documentId: held.documents[0]!.id },
    });
    expect(shared.statusCode).toBe(201);
    const seen = await inject({
      method: 'POST',
      url: '/api/v1/share-codes/check',
      payload: { code: JSON.parse(shared.body).code, organisation: 'Airline' },
    });
    expect(seen.statusCode).toBe(200);
    const view = JSON.parse(seen.body).document as { valid: boolean; fields: { value: string }[] };
    expect(view.valid).toBe(true);
    expect(view.fields.map((f) => f.value)).toEqual(expect.arrayContaining([visaNumber, 'Valid']));
    expect(seen.body).not.toContain('1990-04-27');
    expect(seen.body).not.toContain('Quezon');

    // The applicant: reference + surname + date of birth, then the case page, then the link on it.
    const granted = await inject({
      method: 'POST',
      url: '/evisa/access',
      ...form({ reference, surname: 'Dela Cruz', dateOfBirth: '1990-04-27', _csrf: 'x' }),
    });
    expect(granted.statusCode).toBe(303);
    const applicant = cookie(granted, 'evisa_case');
    const casePage = await inject({
      method: 'GET',
      url: '/evisa/application?lang=en',
      headers: { accept: 'text/html', cookie: applicant },
    });
    expect(casePage.statusCode).toBe(200);
    expectNoInlineScript(casePage.body);
    expect(casePage.body).toContain('Download your eVisa (PDF)');
    const link = /href="(\/evisa\/document\?t=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"/.exec(casePage.body)?.[1];
    expect(link).toBeDefined();
    const zhPage = await inject({
      method: 'GET',
      url: '/evisa/application?lang=zh-Hant',
      headers: { accept: 'text/html', cookie: applicant },
    });
    expect(zhPage.body).toContain('下載您的電子簽證（PDF）');

    const download = await inject({ method: 'GET', url: link!, headers: { accept: 'text/html' } });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe(`attachment; filename="evisa-${reference}.pdf"`);
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['cache-control']).toBe('private, no-store');
    const pdf = download.rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const [file] = (await dataSource.query(`SELECT sha256, mime_type FROM file WHERE case_id = $1 AND kind = 'evisa-pdf'`, [caseId])) as {
      sha256: string;
      mime_type: string;
    }[];
    expect(file).toEqual({ sha256: createHash('sha256').update(pdf).digest('hex'), mime_type: 'application/pdf' });
    const forged = await inject({ method: 'GET', url: `${link!}x`, headers: { accept: 'text/html' } });
    expect(forged.statusCode).toBe(404);
    expect(forged.body).toContain('This download link is not valid or has expired');

    // The MRZ, read back from the PDF's text, with every check digit valid.
    const workDir = fs.mkdtempSync(path.join(process.env.TEST_WORK_DIR!, 'issuance-'));
    const pdfFile = path.join(workDir, 'evisa.pdf');
    fs.writeFileSync(pdfFile, pdf);
    const lines = run('pdftotext', ['-layout', pdfFile, '-'])
      .toString('utf8')
      .split('\n')
      .map((line) => line.trim());
    const line1 = lines.find((line) => /^V<TWN[A-Z<]{31}$/.test(line));
    const line2 = lines.find((line) => line.length === 36 && line.startsWith(visaNumber));
    expect([line1, line2].every(Boolean)).toBe(true);
    expect(parseMrvB(line1!, line2!)).toMatchObject({
      valid: true,
      checkDigits: { visaNumber: true, dateOfBirth: true, validUntil: true },
      surname: 'DELA CRUZ',
      givenNames: 'MARIA CLARA',
      visaNumber,
      nationality: 'PHL',
      dateOfBirth: '900427',
    });

    // The QR code, scanned from a 200 dpi rendering, is the seal stored for the case and verifies offline.
    run('pdftoppm', ['-r', '200', '-png', '-singlefile', pdfFile, path.join(workDir, 'page')]);
    const scanned = run('zbarimg', ['--raw', '-q', '-Sbinary', path.join(workDir, 'page.png')]);
    expect(scanned.equals((await storedSeal(caseId))!)).toBe(true);
    const keys = (
      JSON.parse((await inject({ method: 'GET', url: '/api/v1/verify/keys' })).body) as {
        keys: { keyId: string; issuingCountry: string; signerIdentifier: string; certificateReference: string; jwk: JsonWebKey }[];
      }
    ).keys.map((key) => ({ ...key, publicKey: createPublicKey({ key: key.jwk, format: 'jwk' }) }));
    expect(verifySeal(scanned, keys).valid).toBe(true);
    const tampered = Buffer.from(scanned);
    tampered[tampered.length - 1]! ^= 0x01;
    expect(verifySeal(tampered, keys)).toMatchObject({ valid: false, reason: 'BAD_SIGNATURE' });

    // The register by visa number and passport number (typed loosely), and by seal in each accepted form.
    const shown = {
      visaNumber,
      surname: 'DELA CRUZ',
      givenNames: 'MARIA CLARA',
      nationality: 'PHL',
      validFrom: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) as unknown as string,
      validUntil: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) as unknown as string,
      entries: 'single',
      stayDays: 30,
    };
    const valid = await checkNumbers(` ${visaNumber.toLowerCase()} `, 'p1234567a');
    expect(valid.statusCode).toBe(200);
    expect(valid.json()).toEqual({ result: 'valid', evisa: shown });
    for (const personal of ['1990', 'maria@example.test', 'Grand Hotel', '917', 'Quezon', 'P1234567A', 'photo', 'Teacher']) {
      expect(valid.body).not.toContain(personal);
    }
    for (const seal of [scanned.toString('hex'), base32Encode(scanned), scanned.toString('latin1')]) {
      const bySeal = await checkSeal(seal);
      expect([bySeal.statusCode, bySeal.json()]).toEqual([200, { result: 'valid', evisa: shown, seal: { signatureValid: true } }]);
    }
    const sealPage = await checkSealPage(scanned.toString('latin1'));
    expect(sealPage.statusCode).toBe(200);
    expectNoInlineScript(sealPage.body);
    expect(sealPage.body).toContain('This eVisa is valid');
    expect(sealPage.body).toContain(visaNumber);
    expect(sealPage.body).not.toContain('1990');
    const numberPage = await inject({
      method: 'POST',
      url: '/verify/evisa?lang=zh-Hant',
      ...form({ visaNumber, passportNumber: 'P1234567A', _csrf: 'x' }),
    });
    expect(numberPage.statusCode).toBe(200);
    expect(numberPage.body).toContain('此電子簽證有效');

    // One flipped byte: the signature fails, so nothing is looked up or shown.
    const flipped = await checkSeal(tampered.toString('hex'));
    expect(flipped.json()).toEqual({ result: 'not_found', seal: { signatureValid: false, failure: 'BAD_SIGNATURE' } });
    const flippedPage = await checkSealPage(tampered.toString('hex'));
    expect(flippedPage.body).toContain('No eVisa found');
    expect(flippedPage.body).toContain('not a seal signed with our keys');
    expect(flippedPage.body).not.toContain(visaNumber);

    // A wrong passport number and an unknown visa number get the same answer, byte for byte.
    const wrongPassport = await checkNumbers(visaNumber, 'X9999999');
    const unknownVisa = await checkNumbers('EV9999999', 'P1234567A');
    expect([wrongPassport.statusCode, unknownVisa.statusCode]).toEqual([200, 200]);
    expect(wrongPassport.body).toBe(unknownVisa.body);
    expect(wrongPassport.json()).toEqual({ result: 'not_found' });

    // Expired: the validity ended yesterday or earlier (Asia/Taipei), by either way of checking.
    const [{ valid_until: validUntil }] = (await dataSource.query(
      `SELECT valid_until::text AS valid_until FROM evisa_application WHERE case_id = $1`,
      [caseId],
    )) as { valid_until: string }[];
    await dataSource.query(`UPDATE evisa_application SET valid_until = '2020-01-31' WHERE case_id = $1`, [caseId]);
    expect((await checkNumbers(visaNumber, 'P1234567A')).json()).toEqual({
      result: 'expired',
      evisa: { ...shown, validUntil: '2020-01-31' },
    });
    expect((await checkSeal(scanned.toString('hex'))).json()).toMatchObject({ result: 'expired' });
    await dataSource.query(`UPDATE evisa_application SET valid_until = $2 WHERE case_id = $1`, [caseId, validUntil]);

    // Revoked: the register says so for the numbers and for the (still well-signed) seal; the PDF is no longer served.
    await revoke(caseId);
    expect((await checkNumbers(visaNumber, 'P1234567A')).json()).toEqual({ result: 'revoked', evisa: shown });
    expect((await checkSeal(scanned.toString('hex'))).json()).toEqual({
      result: 'revoked',
      evisa: shown,
      seal: { signatureValid: true },
    });
    expect((await checkSealPage(scanned.toString('hex'))).body).toContain('This eVisa has been revoked');
    const revokedPage = await inject({
      method: 'GET',
      url: '/evisa/application?lang=en',
      headers: { accept: 'text/html', cookie: applicant },
    });
    expect(revokedPage.body).toContain('Your eVisa was revoked');
    expect(revokedPage.body).not.toContain('/evisa/document');
    const lateDownload = await inject({ method: 'GET', url: link!, headers: { accept: 'text/html' } });
    expect(lateDownload.statusCode).toBe(410);
    expect(lateDownload.body).toContain('This eVisa was revoked');
    expect(lateDownload.headers['content-type']).toMatch(/^text\/html/);

    // Every look-up is recorded without personal data, and counted.
    const lookups = (await dataSource.query(`SELECT * FROM verification_lookup ORDER BY id`)) as Record<string, unknown>[];
    expect(Object.keys(lookups[0]!).sort()).toEqual(['created_at', 'id', 'ip_hash', 'kind', 'method', 'result']);
    expect(new Set(lookups.map((l) => l.result))).toEqual(new Set(['valid', 'expired', 'revoked', 'not_found']));
    expect(new Set(lookups.map((l) => l.method))).toEqual(new Set(['seal', 'visa_number']));
    expect(lookups.every((l) => typeof l.ip_hash === 'string' && !String(l.ip_hash).includes('127.0.0.1'))).toBe(true);
    const metrics = await inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/evisa_verifications_total\{method="visa_number",result="valid"\} 2/);
    expect(metrics.body).toMatch(/evisa_verifications_total\{method="seal",result="revoked"\} 2/);
  });

  it('gives JSON clients the download (409 before issue, 410 after revocation); checks register input; limits look-ups per IP', async () => {
    const { caseId, reference } = await submittedApplication(inject);
    const access = await inject({
      method: 'POST',
      url: '/api/v1/evisa/applications/access',
      payload: { reference, surname: 'DELA CRUZ', dateOfBirth: '1990-04-27' },
    });
    const { accessToken } = access.json() as { accessToken: string };
    const documentLink = () =>
      inject({ method: 'GET', url: '/api/v1/evisa/applications/current/document', headers: { 'x-applicant-token': accessToken } });
    expect(errorOf(await documentLink()).code).toBe('EVISA_NOT_ISSUED');

    await approve(caseId);
    await eventually(
      () => caseRow(caseId),
      (row) => row.status === 'ISSUED',
      30_000,
    );
    const linked = await documentLink();
    expect(linked.statusCode).toBe(200);
    const { url, filename } = linked.json() as { url: string; expiresAt: string; filename: string };
    expect(filename).toBe(`evisa-${reference}.pdf`);
    expect(url).toMatch(/^\/api\/v1\/evisa\/document\?t=/);
    const pdf = await inject({ method: 'GET', url });
    expect([pdf.statusCode, pdf.headers['content-type'], pdf.headers['cache-control']]).toEqual([
      200,
      'application/pdf',
      'private, no-store',
    ]);
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const expired = await inject({ method: 'GET', url: '/api/v1/evisa/document?t=not.a-token' });
    expect([expired.statusCode, errorOf(expired).code]).toEqual([404, 'EVISA_DOCUMENT_NOT_FOUND']);

    const tooLong = await inject({
      method: 'POST',
      url: '/api/v1/verify/evisa',
      payload: { visaNumber: 'EV'.repeat(20), passportNumber: '' },
    });
    expect(tooLong.statusCode).toBe(400);
    expect(
      errorOf(tooLong)
        .details?.map((d) => d.field)
        .sort(),
    ).toEqual(['passportNumber', 'visaNumber']);
    const verifyPage = await inject({ method: 'GET', url: '/verify?lang=zh-Hant', headers: { accept: 'text/html' } });
    expect(verifyPage.statusCode).toBe(200);
    expectNoInlineScript(verifyPage.body);
    expect(verifyPage.body).toContain('action="/verify/seal"');
    expect(verifyPage.body).toContain('action="/verify/evisa"');
    expect(verifyPage.body).toContain('查驗電子簽證');
    const emptyPage = await inject({
      method: 'POST',
      url: '/verify/evisa?lang=en',
      ...form({ visaNumber: '', passportNumber: '', _csrf: 'x' }),
    });
    expect(emptyPage.statusCode).toBe(400);
    expect(emptyPage.body).toContain('Enter the visa number');
    expect(emptyPage.body).toContain('Enter the passport number');

    // 60 look-ups a minute per IP, whichever way; the next is refused (and counted), other callers are not affected.
    const fromOneAddress = (remoteAddress: string) =>
      inject({ method: 'POST', url: '/api/v1/verify/evisa', payload: { visaNumber: 'EV0000000', passportNumber: 'X1' }, remoteAddress });
    const busy = `2001:db8::${randomUUID().slice(0, 4)}`;
    for (let i = 0; i < EVISA_VERIFICATIONS_PER_MINUTE; i++) expect((await fromOneAddress(busy)).statusCode).toBe(200);
    const limited = await fromOneAddress(busy);
    expect([limited.statusCode, errorOf(limited).code]).toEqual([429, 'TOO_MANY_REQUESTS']);
    expect((await fromOneAddress(`2001:db8::${randomUUID().slice(0, 4)}:1`)).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/metrics' })).body).toMatch(
      /evisa_verifications_total\{method="visa_number",result="rate_limited"\} 1/,
    );

    await revoke(caseId);
    expect([(await documentLink()).statusCode, errorOf(await documentLink()).code]).toEqual([410, 'EVISA_REVOKED']);
    expect((await inject({ method: 'GET', url })).statusCode).toBe(410);
  });

  it('renders each eVisa once: a repeated job, two concurrent jobs and a retry after a crash give one document, one file and one ISSUED event', async () => {
    const relay = worker.get(OutboxRelay);
    const handler = worker.get(RenderEvisaHandler);
    await relay.stop();
    try {
      // The same job twice in a row.
      const first = await submittedApplication(inject);
      await approve(first.caseId);
      expect((await handler.handle({ caseId: first.caseId })).outcome).toBe('rendered');
      expect((await handler.handle({ caseId: first.caseId })).outcome).toBe('already-rendered');
      expect([await documents(first.caseId), await pdfFiles(first.caseId), await issuedEvents(first.caseId)]).toEqual([1, 1, 1]);
      expect((await caseRow(first.caseId)).status).toBe('ISSUED');
      // The ISSUED event is visible to the applicant, so it queued a notification.
      const [issued] = (await dataSource.query(`SELECT seq FROM case_event WHERE case_id = $1 AND type = 'evisa.issued'`, [
        first.caseId,
      ])) as { seq: number }[];
      const notifications = (await dataSource.query(`SELECT payload FROM outbox WHERE case_id = $1 AND job_name = $2`, [
        first.caseId,
        CORE_JOBS.NotifyCaseEvent.name,
      ])) as { payload: { eventSeq: number } }[];
      expect(notifications.map((n) => n.payload.eventSeq)).toContain(issued!.seq);

      // Two runs at once: both render, one inserts, the other deletes the file it stored.
      const second = await submittedApplication(inject);
      await approve(second.caseId);
      const blobsBefore = storedBlobs(config.storageDir).length;
      const outcomes = await Promise.all([handler.handle({ caseId: second.caseId }), handler.handle({ caseId: second.caseId })]);
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['already-rendered', 'rendered']);
      expect(new Set(outcomes.map((o) => ('documentId' in o ? o.documentId : null))).size).toBe(1);
      expect([await documents(second.caseId), await pdfFiles(second.caseId), await issuedEvents(second.caseId)]).toEqual([1, 1, 1]);
      expect(storedBlobs(config.storageDir).length).toBe(blobsBefore + 1);

      // A crash after the seal was stored: the retry reuses that seal, so the PDF is the one it would have made.
      const third = await submittedApplication(inject);
      await approve(third.caseId);
      const data = await handler.printableEvisa(third.caseId);
      const seal = await handler.sealFor(third.caseId, data);
      expect((await storedSeal(third.caseId))!.equals(seal)).toBe(true);
      expect((await handler.handle({ caseId: third.caseId })).outcome).toBe('rendered');
      expect((await storedSeal(third.caseId))!.equals(seal)).toBe(true);
      const expected = await worker.get(EvisaPdfRenderer).render(data, seal);
      const [stored] = (await dataSource.query(`SELECT sha256 FROM file WHERE case_id = $1 AND kind = 'evisa-pdf'`, [third.caseId])) as {
        sha256: string;
      }[];
      expect(stored!.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
    } finally {
      await relay.start();
    }

    // The queued jobs of all three run now, through the worker, and change nothing.
    const renderJobs = async () =>
      Number(
        (
          (await dataSource.query(`SELECT count(*) AS n FROM outbox WHERE job_name = $1 AND dispatched_at IS NULL`, [
            EVISA_JOBS.RenderEvisa.name,
          ])) as {
            n: string;
          }[]
        )[0]!.n,
      );
    expect(await eventually(renderJobs, (n) => n === 0, 30_000)).toBe(0);
    const documentsQueue = worker.get(QueueRegistry).get(QueueName.Documents);
    const settled = await eventually(
      () => documentsQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
      (counts) => Object.values(counts).every((n) => n === 0),
      30_000,
    );
    expect(Object.values(settled).every((n) => n === 0)).toBe(true);
    expect(await documentsQueue.getJobCounts('failed')).toEqual({ failed: 0 });
    const caseIds = (
      (await dataSource.query(`SELECT payload->>'caseId' AS id FROM outbox WHERE job_name = $1`, [EVISA_JOBS.RenderEvisa.name])) as {
        id: string;
      }[]
    ).map((r) => r.id);
    for (const caseId of caseIds) {
      expect([await documents(caseId), await issuedEvents(caseId)]).toEqual([1, 1]);
    }
  });
});
