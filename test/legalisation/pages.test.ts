import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { startTestStack, type TestStack } from '../harness/app.js';
import { Browser } from '../harness/identity.js';
import { rowCounts } from './helpers.js';

const errorLinks = (html: string) => [...html.matchAll(/<li><a href="#([^"]+)">/g)].map((m) => m[1]);

describe('document authentication pages without JavaScript', () => {
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

  it('explains authentication and the fees in both languages', async () => {
    const visitor = new Browser(app);
    const en = await visitor.get('/legalisation');
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain('It does not confirm that what the document says is true.');
    expect(en.body).toContain('TWD 400 for each original, TWD 200 for each extra copy');
    const zh = await visitor.get('/legalisation?lang=zh-Hant');
    expect(zh.body).toContain('並不證明文件內容正確');
    const home = await visitor.get('/');
    expect(home.body).toContain('href="/legalisation"');
  });

  it('walks every step with its errors, offers the choice again when the slot is taken meanwhile, and confirms', async () => {
    const visitor = new Browser(app);
    await visitor.get('/legalisation/applicant');

    const badApplicant = await visitor.post('/legalisation/applicant', {
      givenNames: '',
      surname: 'Chen',
      dobDay: '31',
      dobMonth: '2',
      dobYear: '1988',
      email: 'x',
      locale: 'en',
    });
    expect(badApplicant.statusCode).toBe(400);
    expect(errorLinks(badApplicant.body)).toEqual(['givenNames', 'dateOfBirth', 'email']);
    expect(badApplicant.body).toContain('aria-invalid="true"');
    // What was typed stays in the three date fields.
    expect(badApplicant.body).toMatch(/name="dobDay"[^>]*value="31"/);
    const applicant = await visitor.post('/legalisation/applicant', {
      givenNames: 'Mei-Ling',
      surname: 'Chen',
      dobDay: '14',
      dobMonth: '3',
      dobYear: '1988',
      email: 'mei-ling.chen@example.test',
      phone: '',
      locale: 'en',
    });
    expect([applicant.statusCode, applicant.headers.location]).toEqual([303, '/legalisation/documents']);
    // The browser holds a signed token only: no answer is in the cookie or any address.
    expect(visitor.cookie('legalisation_draft')).not.toMatch(/Chen|Mei/);

    await visitor.get('/legalisation/documents');
    const nothing = await visitor.post('/legalisation/documents', { action: 'continue' });
    expect(nothing.statusCode).toBe(400);
    expect(nothing.body).toContain('Add at least one document');
    const badItem = await visitor.post('/legalisation/documents', {
      action: 'add',
      documentType: 'diploma',
      issuingCountry: '',
      originals: '0',
      extraCopies: '0',
      description: 'x',
    });
    expect(badItem.statusCode).toBe(400);
    expect(errorLinks(badItem.body)).toEqual(['issuingCountry', 'originals']);
    const added = await visitor.post('/legalisation/documents', {
      action: 'add',
      documentType: 'birth_certificate',
      issuingCountry: 'United States',
      originals: '2',
      extraCopies: '1',
      description: 'Birth certificate, 1988',
    });
    expect(added.headers.location).toBe('/legalisation/documents');
    const list = await visitor.get('/legalisation/documents');
    expect(list.body).toContain('Birth certificate, 1988');
    const second = await visitor.post('/legalisation/documents', {
      action: 'add',
      documentType: 'diploma',
      issuingCountry: 'United States',
      originals: '1',
      extraCopies: '0',
      description: 'Diploma',
    });
    expect(second.headers.location).toBe('/legalisation/documents');
    // The form comes back with extra copies at 0: that alone is not another document.
    const onward = await visitor.post('/legalisation/documents', { action: 'continue', documentType: '', extraCopies: '0' });
    expect(onward.headers.location).toBe('/legalisation/options');

    await visitor.get('/legalisation/options');
    const noAddress = await visitor.post('/legalisation/options', {
      direction: 'foreign_document_for_use_at_home',
      serviceLevel: 'regular',
      delivery: 'mail',
    });
    expect(noAddress.statusCode).toBe(400);
    expect(errorLinks(noAddress.body)).toEqual(['mailingAddress']);
    const options = await visitor.post('/legalisation/options', {
      direction: 'foreign_document_for_use_at_home',
      serviceLevel: 'regular',
      delivery: 'pickup_at_post',
    });
    expect(options.headers.location).toBe('/legalisation/post');

    await visitor.get('/legalisation/post');
    expect((await visitor.post('/legalisation/post', { postCode: 'XX-NOP' })).statusCode).toBe(400);
    expect((await visitor.post('/legalisation/post', { postCode: 'US-LAX' })).headers.location).toBe('/legalisation/appointment');

    const appointments = await visitor.get('/legalisation/appointment');
    expect(appointments.statusCode).toBe(200);
    const slotIds = [...appointments.body.matchAll(/name="slotId" type="radio" value="(\d+)"/g)].map((m) => m[1]!);
    expect(slotIds.length).toBe(60);
    expect((appointments.body.match(/<legend class="legend">/g) ?? []).length).toBe(10);
    expect(appointments.body).toContain('>09:00</label>');
    // A full slot is not offered.
    await dataSource.query(`UPDATE appointment_slot SET booked = capacity WHERE id = $1`, [slotIds[1]]);
    expect((await visitor.get('/legalisation/appointment')).body).not.toContain(`value="${slotIds[1]}"`);
    expect((await visitor.post('/legalisation/appointment', {})).statusCode).toBe(400);
    expect((await visitor.post('/legalisation/appointment', { slotId: slotIds[0]! })).headers.location).toBe('/legalisation/check');

    const check = await visitor.get('/legalisation/check');
    expect(check.body).toContain('TWD 1400');

    // Someone else takes the last place before this visitor sends the request.
    await dataSource.query(`UPDATE appointment_slot SET booked = capacity WHERE id = $1`, [slotIds[0]]);
    const before = await rowCounts(app);
    const taken = await visitor.post('/legalisation/check', {});
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('The time you chose has just been taken. Choose another time.');
    expect(taken.body).toContain(`value="${slotIds[2]}"`);
    expect(await rowCounts(app)).toEqual(before);

    expect((await visitor.post('/legalisation/appointment', { slotId: slotIds[2]! })).headers.location).toBe('/legalisation/check');
    await visitor.get('/legalisation/check');
    const sent = await visitor.post('/legalisation/check', {});
    expect([sent.statusCode, sent.headers.location]).toEqual([303, '/legalisation/confirmation']);
    const confirmation = await visitor.get('/legalisation/confirmation');
    expect(confirmation.statusCode).toBe(200);
    const reference = /id="reference">(DA-[^<]+)</.exec(confirmation.body)![1]!;
    expect(confirmation.body).toContain('Fee to pay at the appointment: TWD 1400.');
    const [row] = await dataSource.query(
      `SELECT c.status, r.slot_id::text AS slot_id, (SELECT count(*)::int FROM legalisation_item i WHERE i.case_id = c.id) AS items
         FROM "case" c JOIN legalisation_request r ON r.case_id = c.id WHERE c.reference = $1`,
      [reference],
    );
    expect(row).toEqual({ status: 'SUBMITTED', slot_id: slotIds[2], items: 2 });
    // The draft is gone: starting again starts empty.
    expect((await visitor.get('/legalisation/check')).headers.location).toBe('/legalisation/applicant');
  });

  it('answers a request for information on a page, with one answer for every mismatch', async () => {
    const visitor = new Browser(app);
    const form = await visitor.get('/legalisation/respond?lang=zh-Hant');
    expect(form.statusCode).toBe(200);
    const empty = await visitor.post('/legalisation/respond', {});
    expect(empty.statusCode).toBe(400);
    expect(errorLinks(empty.body)).toEqual(['reference', 'surname', 'dateOfBirth', 'answer']);
    const unknown = await visitor.post('/legalisation/respond', {
      reference: 'DA-0000-0000',
      surname: 'Chen',
      dobDay: '14',
      dobMonth: '3',
      dobYear: '1988',
      answer: 'Here it is.',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('查無符合這些資料的補件通知');
  });
});
