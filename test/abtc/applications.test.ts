import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { startTestStack, type TestStack } from '../harness/app.js';
import { Browser } from '../harness/identity.js';
import { applicationBody, freshIp, type Inject, injector, rowCounts, submit } from './helpers.js';

const errorLinks = (html: string) => [...html.matchAll(/<li><a href="#([^"]+)">/g)].map((m) => m[1]);

describe('ABTC applications by API and by pages', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let inject: Inject;
  let dataSource: DataSource;

  beforeAll(async () => {
    stack = await startTestStack();
    app = stack.api;
    inject = injector(app);
    dataSource = stack.dataSource;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('opens the case SUBMITTED at the processing post with an AB- reference; personal data is stored encrypted', async () => {
    const response = await submit(inject, applicationBody());
    expect(response.statusCode).toBe(201);
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({ status: 'SUBMITTED', feeTwd: 5000 });
    expect(body.reference).toMatch(/^AB-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const [row] = await dataSource.query(
      `SELECT c.post_code, c.status, c.sla_due_at, a.* FROM abtc_application a JOIN "case" c ON c.id = a.case_id WHERE a.case_id = $1`,
      [body.caseId],
    );
    expect(row).toMatchObject({ post_code: 'HQ-TPE', status: 'SUBMITTED', sex: 'M', nationality: 'TWN' });
    expect(row.sla_due_at).not.toBeNull();
    const stored = JSON.stringify(row);
    for (const plain of ['312345678', 'Chia-Hao', 'Lin"', '1979-06-02', 'Formosa', 'Regional sales', 'distributors']) {
      expect(stored).not.toContain(plain);
    }
    expect(row.passport_number_index).toMatch(/^[0-9a-f]{32,}$|^[A-Za-z0-9_-]{20,}$/);
    const events = await dataSource.query(`SELECT type, payload FROM case_event WHERE case_id = $1`, [body.caseId]);
    expect(events).toEqual([{ type: 'abtc.submitted', payload: { feeTwd: 5000 } }]);
  });

  it('refuses a bad application field by field, with 400, and writes nothing', async () => {
    const before = await rowCounts(app);
    const response = await submit(
      inject,
      applicationBody({
        applicant: { givenNames: '', dateOfBirth: '2090-01-01', sex: 'Q', email: 'nope' },
        passport: { nationality: 'Taiwan', passportNumber: '12', passportExpiry: '2020-01-01' },
        business: { businessReason: '' },
      }),
    );
    expect(response.statusCode).toBe(400);
    const error = JSON.parse(response.body).error;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.map((d: { field: string }) => d.field)).toEqual([
      'applicant.givenNames',
      'applicant.dateOfBirth',
      'applicant.sex',
      'applicant.email',
      'passport.nationality',
      'passport.passportNumber',
      'passport.passportExpiry',
      'business.businessReason',
    ]);
    expect((await submit(inject, { applicant: 'x', passport: [1], business: null })).statusCode).toBe(400);
    expect(
      (
        await inject({
          method: 'POST',
          url: '/api/v1/abtc/applications',
          payload: '{not json',
          headers: { 'content-type': 'application/json' },
          remoteAddress: freshIp(),
        })
      ).statusCode,
    ).toBe(400);
    expect(await rowCounts(app)).toEqual(before);
  });

  it('returns the first result for a repeated Idempotency-Key, and refuses the key for another passport', async () => {
    const headers = { 'idempotency-key': 'abtc-key-0001' };
    const first = await submit(inject, applicationBody(), headers);
    expect(first.statusCode).toBe(201);
    const countsAfterFirst = await rowCounts(app);
    const again = await submit(inject, applicationBody(), headers);
    expect(again.statusCode).toBe(201);
    expect(JSON.parse(again.body).reference).toBe(JSON.parse(first.body).reference);
    const other = await submit(inject, applicationBody({ passport: { passportNumber: '399999999' } }), headers);
    expect(other.statusCode).toBe(422);
    expect(JSON.parse(other.body).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await rowCounts(app)).toEqual(countsAfterFirst);
    expect((await submit(inject, applicationBody(), { 'idempotency-key': 'short' })).statusCode).toBe(400);
  });

  it('limits submissions per address (5 a day): the sixth is 429 and writes nothing', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) expect((await submit(inject, applicationBody(), {}, ip)).statusCode).toBe(201);
    const before = await rowCounts(app);
    const sixth = await submit(inject, applicationBody(), {}, ip);
    expect(sixth.statusCode).toBe(429);
    expect(JSON.parse(sixth.body).error.code).toBe('TOO_MANY_REQUESTS');
    expect(await rowCounts(app)).toEqual(before);
    expect((await submit(inject, applicationBody(), {}, freshIp())).statusCode).toBe(201);
  });

  it('explains the card, its fee, documents and pre-clearance time in both languages, and is linked from home', async () => {
    const visitor = new Browser(app);
    const en = await visitor.get('/abtc');
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain('TWD 5000');
    expect(en.body).toContain('a police record certificate issued within the last 3 months');
    expect(en.body).toContain('This usually takes 3 to 6 months.');
    const zh = await visitor.get('/abtc?lang=zh-Hant');
    expect(zh.body).toContain('新臺幣 5000 元');
    expect(zh.body).toContain('通常需時 3 至 6 個月');
    expect((await visitor.get('/')).body).toContain('href="/abtc"');
  });

  it('walks the pages with an error summary and field errors, keeps answers on the server, and confirms with the reference', async () => {
    const visitor = new Browser(app, { remoteAddress: freshIp() });
    expect((await visitor.get('/abtc/passport')).headers.location).toBe('/abtc/details');
    await visitor.get('/abtc/details');
    const bad = await visitor.post('/abtc/details', {
      givenNames: 'Chia-Hao',
      surname: '',
      dobDay: '2',
      dobMonth: 'June',
      dobYear: '1979',
      email: 'x',
      locale: 'en',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(errorLinks(bad.body)).toEqual(['surname', 'dateOfBirth', 'sex', 'email']);
    expect(bad.body).toContain('aria-invalid="true"');
    // What was typed stays in the three date fields.
    expect(bad.body).toMatch(/name="dobMonth"[^>]*value="June"/);
    const details = await visitor.post('/abtc/details', {
      givenNames: 'Chia-Hao',
      surname: 'Lin',
      dobDay: '2',
      dobMonth: '6',
      dobYear: '1979',
      sex: 'M',
      email: 'chia-hao.lin@example.test',
      phone: '',
      locale: 'en',
    });
    expect([details.statusCode, details.headers.location]).toEqual([303, '/abtc/passport']);
    expect(visitor.cookie('abtc_draft')).not.toMatch(/Lin|Chia/);

    await visitor.get('/abtc/passport');
    const badPassport = await visitor.post('/abtc/passport', { nationality: 'TWN', passportNumber: '1', passportExpiry: '2034-05-31' });
    expect(badPassport.statusCode).toBe(400);
    expect(errorLinks(badPassport.body)).toEqual(['passportNumber']);
    const passport = await visitor.post('/abtc/passport', {
      nationality: 'twn',
      passportNumber: '3123 45678',
      passportExpiry: '2034-05-31',
    });
    expect(passport.headers.location).toBe('/abtc/business');

    await visitor.get('/abtc/business');
    const badBusiness = await visitor.post('/abtc/business', { companyName: 'Formosa', jobTitle: '', businessReason: '' });
    expect(badBusiness.statusCode).toBe(400);
    expect(errorLinks(badBusiness.body)).toEqual(['jobTitle', 'businessReason']);
    const business = await visitor.post('/abtc/business', {
      companyName: 'Formosa Semiconductor Trading Co.',
      jobTitle: 'Regional sales director',
      businessReason: 'Visits to distributors.',
    });
    expect(business.headers.location).toBe('/abtc/check');

    const check = await visitor.get('/abtc/check');
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('312345678');
    expect(check.body).toContain('TWD 5000');
    const before = await rowCounts(app);
    const sent = await visitor.post('/abtc/check', {});
    expect([sent.statusCode, sent.headers.location]).toEqual([303, '/abtc/confirmation']);
    expect(visitor.cookie('abtc_draft')).toBeUndefined();
    const confirmation = await visitor.get('/abtc/confirmation');
    expect(confirmation.statusCode).toBe(200);
    const reference = /id="reference">([^<]+)</.exec(confirmation.body)![1]!;
    expect(reference).toMatch(/^AB-/);
    expect(await rowCounts(app)).toEqual({
      ...before,
      cases: before.cases! + 1,
      events: before.events! + 1,
      applications: before.applications! + 1,
    });
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM applicant_draft WHERE service = 'abtc'`)).toEqual([{ n: 0 }]);

    const status = await inject({
      method: 'POST',
      url: '/api/v1/status',
      payload: { reference, surname: 'LIN', dateOfBirth: '1979-06-02' },
      remoteAddress: freshIp(),
    });
    expect(status.statusCode).toBe(200);
    expect(JSON.parse(status.body).details).toEqual([
      {
        heading: 'Pre-clearance by economy',
        columns: ['Economy', 'Result'],
        rows: [],
        emptyText: 'Pre-clearance starts after our home check.',
      },
    ]);
  });

  it('refuses a page form without its CSRF token', async () => {
    const visitor = new Browser(app);
    await visitor.get('/abtc/details');
    const forged = await visitor.post('/abtc/details', { givenNames: 'A' }, { csrf: false });
    expect(forged.statusCode).toBe(403);
  });
});
