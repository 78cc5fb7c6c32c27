import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { startTestStack, type TestStack } from '../harness/app.js';
import { Browser, fastifyOf } from '../harness/identity.js';
import { multipart, photo, rowCounts } from './helpers.js';

const errorLinks = (html: string) => [...html.matchAll(/<li><a href="#([^"]+)">/g)].map((m) => m[1]);

describe('passport pages without JavaScript', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let dataSource: DataSource;

  beforeAll(async () => {
    stack = await startTestStack();
    app = stack.api;
    dataSource = stack.dataSource;
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** Uploads a file as the photo form does: multipart, with the CSRF token in the action URL. */
  async function upload(visitor: Browser, data: Buffer, filename = 'me.jpg') {
    const { payload, headers } = multipart([{ name: 'photo', filename, contentType: 'image/jpeg', data }]);
    const cookie = ['csrf', 'passport_draft']
      .map((name) => [name, visitor.cookie(name)])
      .filter(([, value]) => value)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    return fastifyOf(app).inject({
      method: 'POST',
      url: `/passport/photo?_csrf=${encodeURIComponent(visitor.lastCsrf ?? '')}`,
      payload,
      headers: { ...headers, cookie, accept: 'text/html' },
    });
  }

  it('explains the service and the fees in both languages, and the home page links to it', async () => {
    const visitor = new Browser(app);
    const en = await visitor.get('/passport');
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain('Aged 14 or over: a 10-year passport, TWD 1300 at home or USD 45 at a post abroad.');
    const zh = await visitor.get('/passport?lang=zh-Hant');
    expect(zh.body).toContain('未滿 14 歲：效期 5 年，國內新臺幣 900 元，駐外館處美金 31 元。');
    expect((await visitor.get('/')).body).toContain('href="/passport"');
  });

  it('walks every step with its errors, refuses a photo that is not one, and confirms with the fee', async () => {
    const visitor = new Browser(app);
    expect((await visitor.get('/passport/check')).headers.location).toBe('/passport/kind');
    await visitor.get('/passport/kind');
    const noKind = await visitor.post('/passport/kind', {});
    expect(noKind.statusCode).toBe(400);
    expect(errorLinks(noKind.body)).toEqual(['kind']);
    expect((await visitor.post('/passport/kind', { kind: 'replacement_lost' })).headers.location).toBe('/passport/identity');

    await visitor.get('/passport/identity');
    const badIdentity = await visitor.post('/passport/identity', {
      surname: 'Lin',
      givenNames: '',
      sex: 'F',
      dobDay: '31',
      dobMonth: '2',
      dobYear: '1990',
      placeOfBirth: 'Taichung',
      nationalId: 'A123456780',
      email: 'yu-ting.lin@example.test',
      locale: 'en',
    });
    expect(badIdentity.statusCode).toBe(400);
    expect(errorLinks(badIdentity.body)).toEqual(['givenNames', 'dateOfBirth', 'nationalId']);
    expect(badIdentity.body).toContain('aria-invalid="true"');
    // What was typed stays in the three date fields.
    expect(badIdentity.body).toMatch(/name="dobDay"[^>]*value="31"/);
    const identity = await visitor.post('/passport/identity', {
      surname: 'Lin',
      givenNames: 'Yu-Ting',
      chineseName: '林雨婷',
      sex: 'F',
      dobDay: '20',
      dobMonth: '5',
      dobYear: '1990',
      placeOfBirth: 'Taichung',
      nationalId: 'A123456789',
      email: 'yu-ting.lin@example.test',
      phone: '',
      locale: 'en',
    });
    expect(identity.headers.location).toBe('/passport/photo');
    // The browser holds a signed token only: no answer is in the cookie or any address.
    expect(visitor.cookie('passport_draft')).not.toMatch(/Lin|A123456789/);

    const photoPage = await visitor.get('/passport/photo');
    expect(photoPage.body).toContain('enctype="multipart/form-data"');
    const before = await rowCounts(app);
    const pdf = await upload(visitor, Buffer.from('%PDF-1.7\n%%EOF'));
    expect(pdf.statusCode).toBe(422);
    expect(pdf.body).toContain('The photo must be a JPEG or PNG image');
    expect(errorLinks(pdf.body)).toEqual(['photo']);
    const uploaded = await upload(visitor, await photo());
    expect(uploaded.headers.location).toBe('/passport/previous');

    await visitor.get('/passport/previous');
    const noReport = await visitor.post('/passport/previous', { previousPassportNumber: '312345678' });
    expect(noReport.statusCode).toBe(400);
    expect(errorLinks(noReport.body)).toEqual(['policeReportReference']);
    expect(
      (await visitor.post('/passport/previous', { previousPassportNumber: '312345678', policeReportReference: 'LAPD-1' })).headers.location,
    ).toBe('/passport/post');

    await visitor.get('/passport/post');
    expect((await visitor.post('/passport/post', { postCode: 'XX-NOP' })).statusCode).toBe(400);
    expect((await visitor.post('/passport/post', { postCode: 'HQ-TPE' })).headers.location).toBe('/passport/check');

    const check = await visitor.get('/passport/check');
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('TWD 1300');
    expect(check.body).toContain('LAPD-1');
    expect(await rowCounts(app)).toEqual(before);

    const sent = await visitor.post('/passport/check', {});
    expect(sent.headers.location).toBe('/passport/confirmation');
    const confirmation = await visitor.get('/passport/confirmation');
    const reference = /id="reference">(PP-[0-9A-Z-]+)</.exec(confirmation.body)?.[1];
    expect(reference).toMatch(/^PP-/);
    expect(confirmation.body).toContain('TWD 1300');
    const [row] = await dataSource.query(
      `SELECT a.kind, a.fee_currency, c.post_code FROM passport_application a JOIN "case" c ON c.id = a.case_id WHERE c.reference = $1`,
      [reference],
    );
    expect(row).toEqual({ kind: 'replacement_lost', fee_currency: 'TWD', post_code: 'HQ-TPE' });
    expect(await dataSource.query(`SELECT 1 FROM applicant_draft WHERE service = 'passport'`)).toHaveLength(0);
  });

  it('a first passport skips the previous-passport page; a form without its CSRF token is refused', async () => {
    const visitor = new Browser(app);
    await visitor.get('/passport/kind');
    expect((await visitor.post('/passport/kind', {}, { csrf: false })).statusCode).toBe(403);
    await visitor.post('/passport/kind', { kind: 'first_issue' });
    await visitor.get('/passport/identity');
    await visitor.post('/passport/identity', {
      surname: 'Chen',
      givenNames: 'Hao',
      sex: 'M',
      dobDay: '2',
      dobMonth: '1',
      dobYear: '2018',
      placeOfBirth: 'Tokyo',
      email: 'hao@example.test',
      locale: 'zh-Hant',
    });
    await visitor.get('/passport/photo');
    expect((await upload(visitor, await photo())).headers.location).toBe('/passport/post');
    await visitor.get('/passport/post');
    await visitor.post('/passport/post', { postCode: 'JP-TYO' });
    const check = await visitor.get('/passport/check?lang=zh-Hant');
    expect(check.body).toContain('USD 31');
    expect(check.body).not.toContain('/passport/previous"');

    // Changing the kind asks about the previous passport; changing back does not.
    await visitor.get('/passport/kind');
    await visitor.post('/passport/kind', { kind: 'replacement_damaged' });
    expect((await visitor.get('/passport/check')).headers.location).toBe('/passport/previous');
    await visitor.get('/passport/kind');
    await visitor.post('/passport/kind', { kind: 'first_issue' });
    expect((await visitor.get('/passport/check')).statusCode).toBe(200);
  });
});
