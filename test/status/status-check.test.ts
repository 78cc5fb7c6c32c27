import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis as IORedis, type Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { CaseSpine, generateReference } from '@app/cases';
import { caseViewUrl, unsubscribeUrl } from '@app/notifications';
import { APP_CONFIG, type AppConfig, BlindIndex, REDIS, SignedTokens } from '@app/platform';
import { ServiceCatalogue } from '@app/cases';
import { normaliseLookupDetails, STATUS_LIMITS, statusLookupKeys } from '@app/status';
import { startTestStack, type TestStack } from '../harness/app.js';
import { moveCase, openCase } from '../notifications/support.js';
import { addDocument, expectNoInlineScript, form, injector, PDF_BYTES } from './support.js';
import { machineOf } from '../harness/catalogue.js';

describe('citizen status check', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let inject: ReturnType<typeof injector>;
  let dataSource: DataSource;
  let spine: CaseSpine;
  let linkKey: Buffer;

  beforeAll(async () => {
    stack = await startTestStack({ env: { PUBLIC_BASE_URL: 'https://consular.example.test' } });
    linkKey = stack.config.crypto.linkSigningKey;
    app = stack.api;
    inject = injector(app);
    dataSource = stack.dataSource;
    spine = app.get(CaseSpine);
  });

  afterAll(async () => {
    await stack?.close();
  });

  let ip = 0;
  const nextIp = () => `192.0.2.${++ip}`;
  const lookUp = (body: Record<string, string>, remoteAddress = nextIp()) =>
    inject({ method: 'POST', url: '/api/v1/status', payload: body, remoteAddress });
  const approvedCase = async (surname = 'Chen') => {
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'passport', { email: 'status@example.test', surname }));
    await moveCase(dataSource, spine, opened.id, ['IN_REVIEW', 'APPROVED', 'PRINTING', 'DISPATCHED']);
    return opened;
  };

  it('shows the status in plain words, what happens next, the timeline and the documents', async () => {
    const opened = await approvedCase();
    const documentId = await addDocument(app, opened.id, 'receipt', 'en');
    const typed = opened.reference.toLowerCase().replace(/-/g, ' ');
    const response = await lookUp({ reference: typed, surname: '  chen ', dateOfBirth: '1990-4-1' });
    expect(response.statusCode).toBe(200);
    const view = JSON.parse(response.body);
    expect(view).toMatchObject({
      reference: opened.reference,
      service: 'passport',
      status: 'DISPATCHED',
      statusLabel: 'Passport on its way to the office',
      nextSteps: expect.stringContaining('We will tell you when you can collect it'),
      updates: { byEmail: true, progressUpdates: true },
      sharing: { allowed: true, codes: [] },
    });
    expect(view.timeline.map((e: { status: string }) => e.status)).toEqual([
      'DISPATCHED',
      'PRINTING',
      'APPROVED',
      'IN_REVIEW',
      'SUBMITTED',
    ]);
    expect(view.documents).toEqual([expect.objectContaining({ id: documentId, kind: 'receipt', title: 'Receipt', locale: 'en' })]);
    expect(JSON.stringify(view)).not.toMatch(/status@example\.test|1990/);

    const file = await inject({ method: 'GET', url: view.documents[0].downloadUrl });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(PDF_BYTES)).toBe(true);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="${opened.reference}-receipt-en.pdf"`);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['cache-control']).toBe('no-store');

    const [logged] = await dataSource.query(`SELECT outcome, reference_hash, ip_hash FROM status_lookup WHERE case_id = $1`, [opened.id]);
    expect(logged.outcome).toBe('found');
    expect(logged.reference_hash).not.toContain(opened.reference);
  });

  it('renders the page in English and Traditional Chinese, without JavaScript, with an error state', async () => {
    const opened = await approvedCase('Lin');
    const [day, month, year] = ['1', '4', '1990'];
    const en = await inject({
      method: 'POST',
      url: '/status',
      ...form({ reference: opened.reference, surname: 'LIN', dobDay: day, dobMonth: month, dobYear: year }),
      remoteAddress: nextIp(),
    });
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain(`Case ${opened.reference}`);
    expect(en.body).toContain('Passport on its way to the office');
    expect(en.headers['referrer-policy']).toBe('no-referrer');
    expectNoInlineScript(en.body);

    const zh = await inject({ method: 'GET', url: '/status?lang=zh-Hant', headers: { accept: 'text/html' } });
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('<html lang="zh-Hant">');
    expect(zh.body).toContain('查詢案件進度');
    expect(zh.body).toContain('name="_csrf"');
    expectNoInlineScript(zh.body);

    const empty = await inject({
      method: 'POST',
      url: '/status',
      ...form({ reference: 'EV-', surname: '', dobDay: '31', dobMonth: '2', dobYear: '1990' }),
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('There is a problem');
    expect(empty.body).toContain('href="#reference"');
    expect(empty.body).toContain('href="#surname"');
    expect(empty.body).toContain('href="#dateOfBirth"');
    expect(empty.body).toContain('aria-invalid="true"');
  });

  it('normalises names the same way when the case is opened and when it is looked up', async () => {
    const details = normaliseLookupDetails(' van der Berg ', '1990-4-1')!;
    const opened = await dataSource.transaction((m) =>
      spine.openCase(m, {
        machine: machineOf('passport'),
        status: 'SUBMITTED',
        postCode: 'US-LAX',
        locale: 'en',
        lookup: details,
        actor: { type: 'applicant' },
      }),
    );
    for (const surname of ['VAN DER BERG', 'van-der-berg', 'ｖａｎ ｄｅｒ ｂｅｒｇ', 'Van  der Berg']) {
      expect((await lookUp({ reference: opened.reference, surname, dateOfBirth: '1990-04-01' })).statusCode).toBe(200);
    }
  });

  it('answers an unknown reference and a wrong date of birth with byte-identical bodies apart from the correlation id', async () => {
    const opened = await approvedCase();
    const unknown = await lookUp({ reference: generateReference('PP'), surname: 'CHEN', dateOfBirth: '1990-04-01' });
    const wrongDate = await lookUp({ reference: opened.reference, surname: 'CHEN', dateOfBirth: '1990-04-02' });
    const wrongName = await lookUp({ reference: opened.reference, surname: 'CHAN', dateOfBirth: '1990-04-01' });
    const scrub = (response: { body: string }) => {
      const { correlationId } = JSON.parse(response.body).error;
      return response.body.replace(correlationId, '<id>');
    };
    for (const response of [unknown, wrongDate, wrongName]) {
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toBe(unknown.headers['content-type']);
    }
    expect(scrub(wrongDate)).toBe(scrub(unknown));
    expect(scrub(wrongName)).toBe(scrub(unknown));
    expect(JSON.parse(unknown.body).error.code).toBe('STATUS_NOT_FOUND');
  });

  it('rejects a mistyped reference before any look-up', async () => {
    const opened = await approvedCase();
    const typo = opened.reference.slice(0, -1) + (opened.reference.endsWith('0') ? '1' : '0');
    const count = async () => (await dataSource.query(`SELECT count(*)::int AS n FROM status_lookup`))[0].n;
    const before = await count();
    const response = await lookUp({ reference: typo, surname: 'CHEN', dateOfBirth: '1990-04-01' });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'reference' }] });
    expect(await count()).toBe(before);
  });

  it('answers 429 past the per-IP limit', async () => {
    const address = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < STATUS_LIMITS.perIp.limit; i++) {
      statuses.push((await lookUp({ reference: generateReference('EV'), surname: 'CHEN', dateOfBirth: '1990-04-01' }, address)).statusCode);
    }
    expect(new Set(statuses)).toEqual(new Set([404]));
    const last = await lookUp({ reference: generateReference('EV'), surname: 'CHEN', dateOfBirth: '1990-04-01' }, address);
    expect(last.statusCode).toBe(429);
    expect(JSON.parse(last.body).error.code).toBe('TOO_MANY_REQUESTS');
  });

  it('locks a reference for an hour after 10 failures, even for the right details, until the hour ends', async () => {
    const opened = await approvedCase();
    for (let i = 0; i < STATUS_LIMITS.failuresBeforeLock; i++) {
      expect(
        (await lookUp({ reference: opened.reference, surname: 'CHEN', dateOfBirth: `1990-04-${String(i + 2).padStart(2, '0')}` }))
          .statusCode,
      ).toBe(404);
    }
    const right = { reference: opened.reference, surname: 'CHEN', dateOfBirth: '1990-04-01' };
    const locked = await lookUp(right);
    expect(locked.statusCode).toBe(429);
    expect(JSON.parse(locked.body).error.code).toBe('STATUS_LOOKUP_LOCKED');
    const page = await inject({
      method: 'POST',
      url: '/status',
      ...form({ reference: opened.reference, surname: 'CHEN', dobDay: '1', dobMonth: '4', dobYear: '1990' }),
      remoteAddress: nextIp(),
    });
    expect(page.statusCode).toBe(429);
    expect(page.body).toContain('locked for an hour');

    const redis = app.get<Redis>(REDIS);
    const keys = statusLookupKeys(app.get(BlindIndex), opened.reference);
    const ttl = await redis.ttl(keys.lock);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
    // Under this deployment's key prefix, as its queues are: another deployment on the same Redis is not locked.
    const prefix = app.get<AppConfig>(APP_CONFIG).queuePrefix;
    const unprefixed = new IORedis(process.env.TEST_REDIS_URL!);
    try {
      expect(await unprefixed.ttl(`${prefix}:${keys.lock}`)).toBeGreaterThan(3500);
      expect(await unprefixed.exists(keys.lock)).toBe(0);
    } finally {
      unprefixed.disconnect();
    }
    // The hour ends: the lock and the failure window expire together.
    await redis.expire(keys.lock, 0);
    await redis.expire(`ratelimit:${keys.failures}`, 0);
    expect((await lookUp(right)).statusCode).toBe(200);
  });

  it('opens the case from the emailed link, and refuses a tampered or expired one', async () => {
    const opened = await approvedCase();
    const tokens = app.get(SignedTokens);
    const link = new URL(caseViewUrl(tokens, 'https://consular.example.test', opened.id));
    const page = await inject({ method: 'GET', url: link.pathname, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`Case ${opened.reference}`);
    expect(page.headers['referrer-policy']).toBe('no-referrer');

    const token = link.pathname.split('/').pop()!;
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    const refused = await inject({ method: 'GET', url: `/status/link/${tampered}`, headers: { accept: 'text/html' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain('This link has expired or is not valid');

    const eightDaysAgo = new SignedTokens(linkKey, () => new Date(Date.now() - 8 * 24 * 3600 * 1000));
    const expired = new URL(caseViewUrl(eightDaysAgo, 'https://consular.example.test', opened.id)).pathname.split('/').pop()!;
    const api = await inject({ method: 'POST', url: '/api/v1/status/link', payload: { token: expired } });
    expect(api.statusCode).toBe(401);
    expect(JSON.parse(api.body).error.code).toBe('INVALID_LINK');
    // A token made for another purpose opens nothing either.
    const unsubscribe = new URL(unsubscribeUrl(tokens, 'https://consular.example.test', opened.id)).pathname.split('/').pop()!;
    expect((await inject({ method: 'POST', url: '/api/v1/status/link', payload: { token: unsubscribe } })).statusCode).toBe(401);
    expect((await inject({ method: 'GET', url: `/status/documents/${tampered}` })).statusCode).toBe(401);
  });

  it('lets the applicant turn progress updates off and on, and unsubscribe from the emailed link', async () => {
    const opened = await approvedCase();
    const view = JSON.parse((await lookUp({ reference: opened.reference, surname: 'CHEN', dateOfBirth: '1990-04-01' })).body);
    const preference = async () =>
      (await dataSource.query(`SELECT progress_updates FROM notification_preference WHERE case_id = $1`, [opened.id]))[0];
    const off = await inject({ method: 'POST', url: '/status/updates', ...form({ accessToken: view.accessToken, progressUpdates: 'no' }) });
    expect(off.statusCode).toBe(200);
    expect(off.body).toContain('You will only get essential messages');
    expect(await preference()).toEqual({ progress_updates: false });
    await inject({ method: 'POST', url: '/api/v1/status/updates', payload: { accessToken: view.accessToken, progressUpdates: true } });
    expect(await preference()).toEqual({ progress_updates: true });

    const token = new URL(unsubscribeUrl(app.get(SignedTokens), 'https://x.test', opened.id)).pathname.split('/').pop()!;
    const confirm = await inject({ method: 'GET', url: `/status/unsubscribe/${token}`, headers: { accept: 'text/html' } });
    expect(confirm.statusCode).toBe(200);
    expect(await preference()).toEqual({ progress_updates: true }); // opening the link changes nothing
    const done = await inject({ method: 'POST', url: '/status/unsubscribe', ...form({ token }) });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Progress updates stopped');
    expect(await preference()).toEqual({ progress_updates: false });
  });

  it("renders what the service's status-details port gives (the ABTC clearance table)", async () => {
    const catalogue = app.get(ServiceCatalogue);
    const real = catalogue.statusDetails;
    catalogue.statusDetails = (id) =>
      id === 'abtc'
        ? { details: async () => [{ heading: 'Pre-clearance by economy', columns: ['Economy', 'Result'], rows: [['Japan', 'Approved']] }] }
        : real.call(catalogue, id);
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'abtc', { surname: 'Wang' }));
    const page = await inject({
      method: 'POST',
      url: '/status',
      ...form({ reference: opened.reference, surname: 'wang', dobDay: '01', dobMonth: '04', dobYear: '1990' }),
      remoteAddress: nextIp(),
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h2>Pre-clearance by economy</h2>');
    expect(page.body).toMatch(/<td>Japan<\/td><td>Approved<\/td>/);
    expect(page.body).toContain('We do not have an email address for this case');
    catalogue.statusDetails = real;
  });
});
