import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { DataSource } from 'typeorm';
import { type AppConfig, BlindIndex } from '@app/platform';
import { CORE_JOBS } from '@app/cases';
import { addDays } from '@app/evisa';
import { startTestStack, type TestStack } from '../harness/app.js';
import { applicantAnswers, completeDraft, errorOf, type Inject, injector, matchingMrz, multipart, pay, photoWithExif } from './helpers.js';
import { EVISA_JOBS } from '@app/evisa';

describe('eVisa applicant journey (JSON API)', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let dataSource: DataSource;
  let config: AppConfig;
  let inject: Inject;

  beforeAll(async () => {
    stack = await startTestStack({ ownDataSource: true });
    ({ config, api: app, dataSource } = stack);
    inject = injector(app);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => ((await dataSource.query(sql, params)) as T[])[0]!;
  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    (await one<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params)).n;

  it('tells an ineligible applicant why, before anything is stored', async () => {
    const before = await count('"case"');
    const check = await inject({
      method: 'POST',
      url: '/api/v1/evisa/eligibility',
      payload: { nationality: 'USA', purpose: 'tourism', passportType: 'emergency' },
    });
    expect(check.statusCode).toBe(200);
    const body = check.json() as { eligible: boolean; problems: { field: string }[] };
    expect(body.eligible).toBe(false);
    expect(body.problems.map((p) => p.field)).toEqual(['nationality', 'passportType']);
    const refused = await inject({
      method: 'POST',
      url: '/api/v1/evisa/drafts',
      payload: { nationality: 'PHL', purpose: 'tourism', passportType: 'temporary' },
    });
    expect(refused.statusCode).toBe(422);
    expect(errorOf(refused).code).toBe('NOT_ELIGIBLE');
    expect(await count('"case"')).toBe(before);
  });

  it('goes from eligibility through the form, uploads and the sandbox payment to a submitted case', async () => {
    const { token, caseId, reference } = await completeDraft(inject);
    // The draft itself emails nobody: its opening event is internal and it is not in any queue.
    const opened = await one<{ visibility: string; status: string }>(
      `SELECT e.visibility, c.status FROM case_event e JOIN "case" c ON c.id = e.case_id WHERE e.case_id = $1 AND e.seq = 1`,
      [caseId],
    );
    expect(opened).toEqual({ visibility: 'internal', status: 'DRAFT' });
    expect(await count('outbox', 'case_id = $1 AND job_name = $2', [caseId, CORE_JOBS.NotifyCaseEvent.name])).toBe(0);
    expect(await count('outbox', 'case_id = $1 AND job_name = $2', [caseId, EVISA_JOBS.SendDraftResumeLink.name])).toBe(1);
    const outboxPayload = await one<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM outbox WHERE case_id = $1 AND job_name = $2`,
      [caseId, EVISA_JOBS.SendDraftResumeLink.name],
    );
    expect(outboxPayload.payload).toEqual({ caseId });

    // Personal answers are ciphertext at rest, bound to their column and case; the passport number has a blind index.
    const raw = await one<Record<string, string>>(`SELECT * FROM evisa_application WHERE case_id = $1`, [caseId]);
    expect(raw.surname).toMatch(/^v1\.k1\./);
    expect(JSON.stringify(raw)).not.toContain('DELA CRUZ');
    expect(JSON.stringify(raw)).not.toContain('P1234567A');
    expect(raw.passport_number_index).toBe(new BlindIndex(config.crypto.blindIndexKey).of('passport', 'P1234567A'));

    const draft = (await inject({ method: 'GET', url: '/api/v1/evisa/draft', headers: { 'x-draft-token': token } })).json() as {
      missing: string[];
      nextStep: string;
      mrz: { given: boolean; mismatches: unknown[] };
      reference: string;
    };
    expect(draft).toMatchObject({ missing: [], nextStep: 'checkAnswers', mrz: { given: true, mismatches: [] }, reference });

    const unpaid = await inject({
      method: 'POST',
      url: '/api/v1/evisa/draft/submit',
      headers: { 'x-draft-token': token, 'idempotency-key': 'unpaid-attempt-1' },
    });
    expect(unpaid.statusCode).toBe(402);
    expect(errorOf(unpaid).code).toBe('PAYMENT_REQUIRED');

    const payment = await pay(inject, token, '4242 4242 4242 4242', 'journey-payment-key');
    expect(payment.outcome).toBe('succeeded');
    expect(payment.redirectUrl).toBe(`/evisa/sandbox-pay/${payment.providerReference}`);

    const submitKey = `journey-submit-${randomUUID()}`;
    const submitted = await inject({
      method: 'POST',
      url: '/api/v1/evisa/draft/submit',
      headers: { 'x-draft-token': token, 'idempotency-key': submitKey },
    });
    expect(submitted.statusCode).toBe(200);
    const result = submitted.json() as { reference: string; status: string; slaDueAt: string; postCode: string };
    expect(result).toMatchObject({ reference, status: 'SUBMITTED', postCode: 'PH-MNL' });
    expect(new Date(result.slaDueAt).getTime()).toBeGreaterThan(Date.now() + 2 * 24 * 3600 * 1000);

    const stored = await one<Record<string, unknown>>(
      `SELECT status, reference, sla_due_at, submitted_at, lookup_key, applicant_email FROM "case" WHERE id = $1`,
      [caseId],
    );
    expect(stored).toMatchObject({ status: 'SUBMITTED', reference });
    expect(stored.lookup_key).toEqual(expect.any(String));
    expect(String(stored.applicant_email)).toMatch(/^v1\./);
    expect(await count('evisa_payment', 'case_id = $1', [caseId])).toBe(1);
    expect(await one(`SELECT amount, currency, status, provider FROM evisa_payment WHERE case_id = $1`, [caseId])).toEqual({
      amount: 1632,
      currency: 'TWD',
      status: 'succeeded',
      provider: 'sandbox',
    });

    const files = (await dataSource.query(`SELECT kind, sha256, storage_key, size_bytes FROM file WHERE case_id = $1 ORDER BY kind`, [
      caseId,
    ])) as {
      kind: string;
      sha256: string;
      storage_key: string;
      size_bytes: number;
    }[];
    expect(files.map((f) => f.kind)).toEqual(['evisa-passport-page', 'evisa-photo']);
    for (const file of files) {
      const bytes = fs.readFileSync(path.join(path.resolve(config.storageDir), file.storage_key.slice(0, 2), file.storage_key));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
      expect(bytes.length).toBe(file.size_bytes);
    }

    const event = await one<{ seq: number; type: string; visibility: string; to_status: string }>(
      `SELECT seq, type, visibility, to_status FROM case_event WHERE case_id = $1 AND to_status = 'SUBMITTED'`,
      [caseId],
    );
    expect(event).toMatchObject({ type: 'evisa.submitted', visibility: 'applicant' });
    const notify = (await dataSource.query(`SELECT payload FROM outbox WHERE case_id = $1 AND job_name = $2`, [
      caseId,
      CORE_JOBS.NotifyCaseEvent.name,
    ])) as {
      payload: unknown;
    }[];
    expect(notify).toEqual([{ payload: { caseId, eventSeq: event.seq } }]);

    // Replays with the same keys give the same answers and charge nothing more.
    const replayPayment = await inject({
      method: 'POST',
      url: '/api/v1/evisa/draft/payments',
      headers: { 'x-draft-token': token, 'idempotency-key': 'journey-payment-key' },
    });
    expect(replayPayment.statusCode).toBe(409); // the draft is closed: no new payment can start
    const replaySubmit = await inject({
      method: 'POST',
      url: '/api/v1/evisa/draft/submit',
      headers: { 'x-draft-token': token, 'idempotency-key': submitKey },
    });
    expect(replaySubmit.statusCode).toBe(200);
    expect(replaySubmit.json()).toEqual(result);
    const otherKey = await inject({
      method: 'POST',
      url: '/api/v1/evisa/draft/submit',
      headers: { 'x-draft-token': token, 'idempotency-key': `another-${randomUUID()}` },
    });
    expect(otherKey.statusCode).toBe(409);
    expect(await count('evisa_payment', 'case_id = $1', [caseId])).toBe(1);
    expect(await count('case_event', 'case_id = $1 AND to_status = $2', [caseId, 'SUBMITTED'])).toBe(1);
    expect(await count('outbox', 'case_id = $1 AND job_name = $2', [caseId, CORE_JOBS.NotifyCaseEvent.name])).toBe(1);
  });

  it('charges once when the payment request and the card are replayed', async () => {
    const { token, caseId } = await completeDraft(inject);
    const first = await pay(inject, token, '4242424242424242', 'replayed-payment-key');
    const again = await inject({
      method: 'POST',
      url: '/api/v1/evisa/draft/payments',
      headers: { 'x-draft-token': token, 'idempotency-key': 'replayed-payment-key' },
    });
    expect(again.statusCode).toBe(201);
    expect((again.json() as { paymentId: string; status: string }).paymentId).toBe(first.paymentId);
    expect((again.json() as { status: string }).status).toBe('succeeded');
    const card = await inject({
      method: 'POST',
      url: `/api/v1/evisa/sandbox/payments/${first.providerReference}/card`,
      payload: { cardNumber: '4242424242424242' },
    });
    expect(card.json()).toEqual({ status: 'succeeded' });
    const newKey = await inject({
      method: 'POST',
      url: '/api/v1/evisa/draft/payments',
      headers: { 'x-draft-token': token, 'idempotency-key': 'a-second-key-for-same-case' },
    });
    expect(newKey.statusCode).toBe(409);
    expect(errorOf(newKey).code).toBe('ALREADY_PAID');
    const missingKey = await inject({ method: 'POST', url: '/api/v1/evisa/draft/payments', headers: { 'x-draft-token': token } });
    expect(missingKey.statusCode).toBe(400);
    expect(errorOf(missingKey).code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    expect(await count('evisa_payment', 'case_id = $1', [caseId])).toBe(1);
    expect(await count('evisa_sandbox_charge', 'provider_reference = $1 AND charged_at IS NOT NULL', [first.providerReference])).toBe(1);

    // Two submissions racing with the same key: one case event, same answer.
    const submit = () =>
      inject({
        method: 'POST',
        url: '/api/v1/evisa/draft/submit',
        headers: { 'x-draft-token': token, 'idempotency-key': 'racing-submit-key' },
      });
    const [a, b] = await Promise.all([submit(), submit()]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json()).toEqual(b.json());
    const again2 = await submit();
    expect(again2.statusCode).toBe(200);
    expect(await count('case_event', 'case_id = $1 AND to_status = $2', [caseId, 'SUBMITTED'])).toBe(1);
  });

  it('does not submit after a declined card, and lets the applicant pay again', async () => {
    const { token, caseId } = await completeDraft(inject);
    const declined = await pay(inject, token, '4000 0000 0000 0002');
    expect(declined.outcome).toBe('declined');
    const refused = await inject({
      method: 'POST',
      url: '/api/v1/evisa/draft/submit',
      headers: { 'x-draft-token': token, 'idempotency-key': 'after-declined-1' },
    });
    expect(refused.statusCode).toBe(402);
    expect((await one<{ status: string }>(`SELECT status FROM "case" WHERE id = $1`, [caseId])).status).toBe('DRAFT');
    const retried = await pay(inject, token, '4242 4242 4242 4242');
    expect(retried.outcome).toBe('succeeded');
    expect(await count('evisa_payment', 'case_id = $1', [caseId])).toBe(2);
    const submitted = await inject({
      method: 'POST',
      url: '/api/v1/evisa/draft/submit',
      headers: { 'x-draft-token': token, 'idempotency-key': 'after-declined-2' },
    });
    expect(submitted.statusCode).toBe(200);
  });

  describe('refuses every invalid answer with a field error and writes nothing', () => {
    let token: string;
    let caseId: string;
    beforeAll(async () => {
      ({ token, caseId } = await completeDraft(inject, { mrz: false }));
    });

    const snapshot = async () => ({
      row: await one(`SELECT * FROM evisa_application WHERE case_id = $1`, [caseId]),
      counts: [
        await count('"case"'),
        await count('evisa_application'),
        await count('case_event'),
        await count('outbox'),
        await count('file'),
      ],
    });
    const longText = (n: number) => 'A'.repeat(n);
    const a = applicantAnswers();

    const cases: [string, string, Record<string, unknown>][] = [
      ['name', 'surname', { ...a.name, surname: '' }],
      ['name', 'surname', { ...a.name, surname: longText(40) }],
      ['name', 'surname', { ...a.name, surname: 42 }],
      ['name', 'surname', { ...a.name, surname: '陳' }],
      ['name', 'surname', { ...a.name, surname: 'Dela Cruz 2' }],
      ['name', 'givenNames', { ...a.name, givenNames: 'Мария' }],
      ['name', 'givenNames', { ...a.name, givenNames: ['Maria'] }],
      ['name', 'nativeName', { ...a.name, nativeName: 'ม'.repeat(101) }],
      ['personal', 'sex', { ...a.personal, sex: '' }],
      ['personal', 'sex', { ...a.personal, sex: 'Q' }],
      ['personal', 'dateOfBirth', { ...a.personal, dateOfBirth: '' }],
      ['personal', 'dateOfBirth', { ...a.personal, dateOfBirth: '2025-02-30' }],
      ['personal', 'dateOfBirth', { ...a.personal, dateOfBirth: '27/04/1990' }],
      ['personal', 'dateOfBirth', { ...a.personal, dateOfBirth: '2099-01-01' }],
      ['personal', 'dateOfBirth', { ...a.personal, dateOfBirth: '2020-06-01' }], // after the passport's issue date
      ['personal', 'placeOfBirth', { ...a.personal, placeOfBirth: longText(101) }],
      ['passport', 'passportNumber', { ...a.passport, passportNumber: '' }],
      ['passport', 'passportNumber', { ...a.passport, passportNumber: 'P1234567890' }],
      ['passport', 'passportNumber', { ...a.passport, passportNumber: 'P12#4567' }],
      ['passport', 'issuingAuthority', { ...a.passport, issuingAuthority: '' }],
      ['passport', 'passportIssueDate', { ...a.passport, passportIssueDate: '2019-02-29' }],
      ['passport', 'passportIssueDate', { ...a.passport, passportIssueDate: '2099-01-01' }],
      ['passport', 'passportExpiryDate', { ...a.passport, passportExpiryDate: '2020-01-01' }],
      ['passport', 'passportExpiryDate', { ...a.passport, passportExpiryDate: '2031-13-01' }],
      ['passport', 'passportExpiryDate', { ...a.passport, passportExpiryDate: addDays(a.travel.arrivalDate, 100) }],
      ['contact', 'email', { ...a.contact, email: '' }],
      ['contact', 'email', { ...a.contact, email: 'maria-at-example' }],
      ['contact', 'email', { ...a.contact, email: `${longText(250)}@example.test` }],
      ['contact', 'phone', { ...a.contact, phone: '0917 123 4567' }],
      ['contact', 'phone', { ...a.contact, phone: '+1 555' }],
      ['contact', 'phone', { ...a.contact, phone: 639171234567 }],
      ['travel', 'arrivalDate', { ...a.travel, arrivalDate: '' }],
      ['travel', 'arrivalDate', { ...a.travel, arrivalDate: '2020-01-01' }],
      ['travel', 'arrivalDate', { ...a.travel, arrivalDate: '2031-02-30' }],
      ['travel', 'arrivalDate', { ...a.travel, arrivalDate: '2099-01-01' }],
      ['travel', 'portOfEntry', { ...a.travel, portOfEntry: 'LAX' }],
      ['travel', 'portOfEntry', { ...a.travel, portOfEntry: '' }],
      ['stay', 'stayAddress', { ...a.stay, stayAddress: '' }],
      ['stay', 'stayAddress', { ...a.stay, stayAddress: longText(301) }],
      ['stay', 'occupation', { ...a.stay, occupation: longText(101) }],
      ['stay', 'occupation', { ...a.stay, occupation: { job: 'x' } }],
      ['mrz', 'mrzLine1', { mrzLine1: 'P<PHLDELA<CRUZ', mrzLine2: matchingMrz().mrzLine2 }],
      [
        'mrz',
        'mrzLine2',
        { mrzLine1: matchingMrz().mrzLine1, mrzLine2: matchingMrz().mrzLine2.replace(/.$/, (d) => String((Number(d) + 1) % 10)) },
      ],
      ['mrz', 'mrzLine2', { mrzLine1: matchingMrz().mrzLine1, mrzLine2: '' }],
      ['mrz', 'mrzLine1', { mrzLine1: `V${matchingMrz().mrzLine1.slice(1)}`, mrzLine2: matchingMrz().mrzLine2 }],
    ];

    it.each(cases)('%s: %s (case %#)', async (step, field, payload) => {
      const before = await snapshot();
      const response = await inject({
        method: 'PUT',
        url: `/api/v1/evisa/draft/answers/${step}`,
        headers: { 'x-draft-token': token },
        payload,
      });
      expect(response.statusCode).toBe(400);
      const error = errorOf(response);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details?.map((d) => d.field)).toContain(field);
      expect(error.details?.find((d) => d.field === field)?.messages[0]).toEqual(expect.any(String));
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('uploads', () => {
    let token: string;
    let caseId: string;
    beforeAll(async () => {
      ({ token, caseId } = await completeDraft(inject));
    });
    const upload = (slot: string, filename: string, data: Buffer, contentType = 'image/jpeg') => {
      const body = multipart([{ name: 'file', filename, contentType, data }]);
      return inject({
        method: 'POST',
        url: `/api/v1/evisa/draft/files/${slot}`,
        headers: { ...body.headers, 'x-draft-token': token },
        payload: body.payload,
      });
    };

    it('refuses an HTML file renamed to .jpg, and a JPEG named .png', async () => {
      const files = await count('file', 'case_id = $1', [caseId]);
      const html = await upload('photo', 'photo.jpg', Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>'));
      expect(html.statusCode).toBe(422);
      expect(errorOf(html).code).toBe('FILE_TYPE_NOT_ALLOWED');
      const renamed = await upload('photo', 'photo.png', await photoWithExif());
      expect(renamed.statusCode).toBe(422);
      expect(errorOf(renamed).code).toBe('FILE_TYPE_MISMATCH');
      expect(await count('file', 'case_id = $1', [caseId])).toBe(files);
    });

    it('refuses a 20 MB photo with 413 in the one error shape, and a 6 MB one too', async () => {
      const files = await count('file', 'case_id = $1', [caseId]);
      const huge = Buffer.concat([await photoWithExif(), Buffer.alloc(20 * 1_048_576)]);
      const response = await upload('photo', 'big.jpg', huge);
      expect(response.statusCode).toBe(413);
      expect(errorOf(response).code).toBe('PAYLOAD_TOO_LARGE');
      const six = await upload('photo', 'six.jpg', Buffer.concat([await photoWithExif(), Buffer.alloc(6 * 1_048_576)]));
      expect(six.statusCode).toBe(413);
      expect(errorOf(six).code).toBe('FILE_TOO_LARGE');
      expect(await count('file', 'case_id = $1', [caseId])).toBe(files);
    });

    it('refuses a photo of the wrong shape or size', async () => {
      const square = await upload(
        'photo',
        'square.jpg',
        await sharp({ create: { width: 800, height: 800, channels: 3, background: '#777' } })
          .jpeg()
          .toBuffer(),
      );
      expect(square.statusCode).toBe(422);
      expect(errorOf(square).code).toBe('PHOTO_DIMENSIONS');
      const small = await upload('photo', 'small.jpg', await photoWithExif(350, 450));
      expect(errorOf(small).code).toBe('PHOTO_DIMENSIONS');
    });

    it('strips EXIF (GPS position, owner) from a photo before storing it', async () => {
      const original = await photoWithExif();
      expect((await sharp(original).metadata()).exif).toBeDefined();
      expect(original.includes(Buffer.from('Maria Clara'))).toBe(true);
      const response = await upload('photo', 'with-gps.JPEG', original);
      expect(response.statusCode).toBe(201);
      const { fileId, sha256 } = response.json() as { fileId: string; sha256: string };
      const row = await one<{ storage_key: string }>(`SELECT storage_key FROM file WHERE id = $1`, [fileId]);
      const stored = fs.readFileSync(path.join(path.resolve(config.storageDir), row.storage_key.slice(0, 2), row.storage_key));
      expect(createHash('sha256').update(stored).digest('hex')).toBe(sha256);
      const metadata = await sharp(stored).metadata();
      expect(metadata.exif).toBeUndefined();
      expect([metadata.width, metadata.height, metadata.format]).toEqual([700, 900, 'jpeg']);
      expect(stored.includes(Buffer.from('Maria Clara'))).toBe(false);
      // The replaced photo's row is gone: one photo per draft.
      expect(await count('file', 'case_id = $1 AND kind = $2', [caseId, 'evisa-photo'])).toBe(1);
    });
  });
});
