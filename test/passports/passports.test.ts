import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { CaseSpine } from '@app/cases';
import { ServiceCatalogue } from '@app/cases';
import { FileRecord, FileService } from '@app/platform';
import { startTestStack, type TestStack } from '../harness/app.js';
import { createAccessToken, createTestOfficer, signInOfficer, type SignedInOfficer } from '../harness/identity.js';
import { application, freshIp, type Inject, injector, photo, rowCounts, submit, submitted } from './helpers.js';
import { machineOf } from '../harness/catalogue.js';

const DEADLINE = () => new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
/** A birthday that makes someone `years` old today, less a day. */
const bornYearsAgo = (years: number) => {
  const date = new Date();
  date.setUTCFullYear(date.getUTCFullYear() - years);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
};

describe('chip passports: applying, review, printing to collection, status and personal data', () => {
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

  const statusOf = async (caseId: string) =>
    ((await dataSource.query(`SELECT status, version FROM "case" WHERE id = $1`, [caseId])) as { status: string; version: number }[])[0]!;

  async function apiOfficer(postCode: string) {
    const created = await createTestOfficer(app, { postCode });
    const token = await createAccessToken(app, created.authenticated);
    return (method: 'GET' | 'POST', url: string, payload?: object) =>
      inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
  }

  /** Submits at the post and claims it as a new officer there (each scenario uses its own post, so the queue holds only this case). */
  async function claimed(postCode: string, overrides: Record<string, unknown> = {}) {
    const submission = await submitted(inject, { postCode, ...overrides });
    const call = await apiOfficer(postCode);
    const claim = await call('POST', '/api/v1/officer/queue/claim-next');
    expect(claim.statusCode).toBe(200);
    expect(JSON.parse(claim.body).case.id).toBe(submission.caseId);
    return { submission, call, version: (await statusOf(submission.caseId)).version };
  }

  describe('applying through the API', () => {
    it('opens a PP- case with the fee of an adult abroad, stores the photo re-encoded and the identifiers sealed', async () => {
      const before = await rowCounts(app);
      const created = await submitted(inject);
      expect(created.reference).toMatch(/^PP-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      expect(created.status).toBe('SUBMITTED');
      expect(created.fee).toEqual({ ageBand: 'adult', validityYears: 10, amount: 45, currency: 'USD' });
      expect(await rowCounts(app)).toEqual({
        cases: before.cases! + 1,
        applications: before.applications! + 1,
        photos: before.photos! + 1,
      });

      const [row] = await dataSource.query(`SELECT * FROM passport_application WHERE case_id = $1`, [created.caseId]);
      for (const column of ['surname', 'given_names', 'chinese_name', 'date_of_birth', 'national_id', 'previous_passport_number']) {
        expect(row[column]).toBeTruthy();
        expect(row[column]).not.toMatch(/Lin|Yu-Ting|林雨婷|1990-05-20|A123456789|312345678/);
      }
      expect(row.national_id_index).toMatch(/\S{20,}/);
      const file = await dataSource.manager.findOneByOrFail(FileRecord, { id: row.photo_file_id });
      expect(file.mimeType).toBe('image/jpeg');
      const stored = await app.get(FileService).read(file);
      expect(stored.includes(Buffer.from('SecretCam'))).toBe(false);
    });

    it('charges by age and place: a child abroad, an adult and a child at home', async () => {
      const child = await submitted(inject, { dateOfBirth: bornYearsAgo(14), kind: 'first_issue', previousPassportNumber: '' });
      expect(child.fee).toEqual({ ageBand: 'child', validityYears: 5, amount: 31, currency: 'USD' });
      const fourteenToday = new Date();
      fourteenToday.setUTCFullYear(fourteenToday.getUTCFullYear() - 14);
      const fourteen = await submitted(inject, { dateOfBirth: fourteenToday.toISOString().slice(0, 10) });
      expect(fourteen.fee).toEqual({ ageBand: 'adult', validityYears: 10, amount: 45, currency: 'USD' });
      const adultAtHome = await submitted(inject, { dateOfBirth: '1980-01-01', postCode: 'HQ-TPE' });
      expect(adultAtHome.fee).toEqual({ ageBand: 'adult', validityYears: 10, amount: 1300, currency: 'TWD' });
      const childAtHome = await submitted(inject, { dateOfBirth: bornYearsAgo(5), postCode: 'HQ-TPE' });
      expect(childAtHome.fee).toEqual({ ageBand: 'child', validityYears: 5, amount: 900, currency: 'TWD' });
    });

    it('refuses bad answers field by field and writes nothing', async () => {
      const before = await rowCounts(app);
      const response = await submit(
        inject,
        application({
          kind: 'replacement_lost',
          surname: '林',
          sex: 'X',
          dateOfBirth: '2999-01-01',
          nationalId: 'A123456788',
          email: 'x',
          previousPassportNumber: '12',
        }),
      );
      expect(response.statusCode).toBe(400);
      const fields = (JSON.parse(response.body).error.details as { field: string }[]).map((d) => d.field).sort();
      expect(fields).toEqual(['dateOfBirth', 'email', 'nationalId', 'policeReportReference', 'previousPassportNumber', 'sex', 'surname']);
      const notJson = await inject({
        method: 'POST',
        url: '/api/v1/passports/applications',
        payload: application(),
        remoteAddress: freshIp(),
      });
      expect(notJson.statusCode).toBe(415);
      const unknownPost = await submit(inject, application({ postCode: 'XX-NOPE' }));
      expect(unknownPost.statusCode).toBe(422);
      expect(await rowCounts(app)).toEqual(before);
    });

    it('takes only JPEG or PNG by their bytes, whatever the name says, and writes nothing otherwise', async () => {
      const before = await rowCounts(app);
      const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF');
      const refused = await submit(inject, application(), { photo: pdf, filename: 'me.jpg' });
      expect(refused.statusCode).toBe(422);
      expect(JSON.parse(refused.body).error).toMatchObject({ code: 'PASSPORT_PHOTO_REFUSED', details: { reason: 'type' } });
      const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary');
      expect(JSON.parse((await submit(inject, application(), { photo: gif })).body).error.details.reason).toBe('type');
      const missing = await submit(inject, application(), { photo: null });
      expect(JSON.parse(missing.body).error.details.reason).toBe('missing');
      const landscape = await submit(inject, application(), { photo: await photo(900, 700) });
      expect(JSON.parse(landscape.body).error.details.reason).toBe('dimensions');
      expect(await rowCounts(app)).toEqual(before);
      const png = await submit(inject, application(), { photo: await photo(700, 900, 'png'), filename: 'photo.png' });
      expect(png.statusCode).toBe(201);
    });

    it('returns the first result for a repeated Idempotency-Key and refuses the key for another application', async () => {
      const key = `pp-${Date.now()}-idem`;
      const first = await submit(inject, application(), { headers: { 'idempotency-key': key } });
      expect(first.statusCode).toBe(201);
      const before = await rowCounts(app);
      const again = await submit(inject, application(), { headers: { 'idempotency-key': key } });
      expect(again.statusCode).toBe(201);
      expect(JSON.parse(again.body).caseId).toBe(JSON.parse(first.body).caseId);
      const other = await submit(inject, application({ postCode: 'JP-TYO' }), { headers: { 'idempotency-key': key } });
      expect(other.statusCode).toBe(422);
      expect(JSON.parse(other.body).error.code).toBe('PASSPORT_IDEMPOTENCY_KEY_REUSED');
      expect(await rowCounts(app)).toEqual(before);
    });

    it('limits applications per address', async () => {
      const ip = freshIp();
      for (let i = 0; i < 10; i++) expect((await submit(inject, application(), { remoteAddress: ip })).statusCode).toBe(201);
      const before = await rowCounts(app);
      const limited = await submit(inject, application(), { remoteAddress: ip });
      expect(limited.statusCode).toBe(429);
      expect(await rowCounts(app)).toEqual(before);
    });
  });

  describe('review decisions', () => {
    it('approval moves to APPROVED; the workspace shows the application in words (English on the JSON API) and the photo', async () => {
      const { submission, call, version } = await claimed('AU-CBR');
      const workspace = JSON.parse((await call('GET', `/api/v1/officer/cases/${submission.caseId}`)).body);
      expect(workspace.details).toEqual(
        expect.arrayContaining([
          { labelKey: 'passports.field.kind', value: 'Renew my passport' },
          { labelKey: 'passports.field.sex', value: 'Female' },
          { labelKey: 'passports.field.name', value: 'Lin, Yu-Ting' },
          { labelKey: 'passports.field.nationalId', value: 'A123456789' },
          { labelKey: 'passports.field.fee', value: 'USD 45' },
        ]),
      );
      expect(workspace.links).toEqual(
        expect.arrayContaining([{ href: `/officer/passports/${submission.caseId}/photo`, labelKey: 'passports.officer.photoLink' }]),
      );
      const approved = await call('POST', `/api/v1/officer/cases/${submission.caseId}/actions`, {
        action: 'approve',
        expectedVersion: version,
      });
      expect(approved.statusCode).toBe(200);
      expect((await statusOf(submission.caseId)).status).toBe('APPROVED');
    });

    it('a refusal needs a reason', async () => {
      const { submission, call, version } = await claimed('PH-MNL');
      const bare = await call('POST', `/api/v1/officer/cases/${submission.caseId}/actions`, { action: 'refuse', expectedVersion: version });
      expect(bare.statusCode).toBe(400);
      const refused = await call('POST', `/api/v1/officer/cases/${submission.caseId}/actions`, {
        action: 'refuse',
        expectedVersion: version,
        reasonCode: 'identity_not_established',
      });
      expect(refused.statusCode).toBe(200);
      expect((await statusOf(submission.caseId)).status).toBe('REFUSED');
    });

    it('a request for information shows on the status page; the answer sends the case back to SUBMITTED', async () => {
      const { submission, call, version } = await claimed('TH-BKK');
      const asked = await call('POST', `/api/v1/officer/cases/${submission.caseId}/actions`, {
        action: 'requestInfo',
        expectedVersion: version,
        text: 'Please send a photo without glasses.',
        deadline: DEADLINE(),
      });
      expect(asked.statusCode).toBe(200);
      const status = await inject({
        method: 'POST',
        url: '/api/v1/status',
        payload: { reference: submission.reference, surname: 'Lin', dateOfBirth: '1990-05-20' },
        remoteAddress: freshIp(),
      });
      const sections = JSON.parse(status.body).details as { heading: string; rows: string[][] }[];
      expect(sections.map((s) => s.heading)).toEqual(['Your passport application', 'We need more information']);
      expect(sections[1]!.rows[0]).toEqual(['Information requested', 'Please send a photo without glasses.']);

      const answer = (surname: string) =>
        inject({
          method: 'POST',
          url: '/api/v1/passports/applications/answer',
          payload: { reference: submission.reference, surname, dateOfBirth: '1990-05-20', answer: 'I will bring one to the post.' },
          remoteAddress: freshIp(),
        });
      const wrong = await answer('Wang');
      expect(wrong.statusCode).toBe(404);
      expect((await statusOf(submission.caseId)).status).toBe('INFO_REQUESTED');
      const right = await answer('lin');
      expect(right.statusCode).toBe(200);
      expect(JSON.parse(right.body).status).toBe('SUBMITTED');
      expect((await answer('Lin')).statusCode).toBe(404);
      const reclaimed = await call('POST', '/api/v1/officer/queue/claim-next');
      expect(JSON.parse(reclaimed.body).case.id).toBe(submission.caseId);
      const workspace = JSON.parse((await call('GET', `/api/v1/officer/cases/${submission.caseId}`)).body);
      expect(workspace.details).toEqual(
        expect.arrayContaining([{ labelKey: 'passports.officer.infoAnswer', value: 'I will bring one to the post.' }]),
      );
    });
  });

  describe('printing, dispatch, ready and collected', () => {
    let hq: SignedInOfficer;
    let post: SignedInOfficer;
    let otherPost: SignedInOfficer;

    beforeAll(async () => {
      hq = await signInOfficer(app, { postCode: 'HQ-TPE' });
      post = await signInOfficer(app, { postCode: 'VN-HAN' });
      otherPost = await signInOfficer(app, { postCode: 'MY-KUL' });
    });

    const act = (who: SignedInOfficer, caseId: string, step: string, fields: Record<string, string>) =>
      inject({
        method: 'POST',
        url: `/officer/passports/${caseId}/${step}`,
        headers: { ...who.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: who.csrfToken, ...fields }).toString(),
      });
    const page = (who: SignedInOfficer, caseId: string) =>
      inject({ method: 'GET', url: `/officer/passports/${caseId}`, headers: { ...who.headers, accept: 'text/html' } });

    async function approvedAt(postCode: string): Promise<string> {
      const { submission, call, version } = await claimed(postCode);
      await call('POST', `/api/v1/officer/cases/${submission.caseId}/actions`, { action: 'approve', expectedVersion: version });
      return submission.caseId;
    }

    it('HQ prints and dispatches, the collecting post makes it ready and hands it over; others are refused', async () => {
      const caseId = await approvedAt('VN-HAN');
      let { version } = await statusOf(caseId);
      expect((await page(otherPost, caseId)).statusCode).toBe(404);
      expect((await act(otherPost, caseId, 'print', { expectedVersion: String(version), passportNumber: '300000001' })).statusCode).toBe(
        404,
      );
      const byPost = await act(post, caseId, 'print', { expectedVersion: String(version), passportNumber: '300000001' });
      expect(byPost.statusCode).toBe(403);
      const badNumber = await act(hq, caseId, 'print', { expectedVersion: String(version), passportNumber: '3000-0001' });
      expect(badNumber.statusCode).toBe(400);
      const stale = await act(hq, caseId, 'print', { expectedVersion: String(version - 1), passportNumber: '300000001' });
      expect(stale.statusCode).toBe(409);
      expect((await statusOf(caseId)).status).toBe('APPROVED');
      expect((await page(hq, caseId)).body).toContain('Start printing with this number');
      const printed = await act(hq, caseId, 'print', { expectedVersion: String(version), passportNumber: '300000001' });
      expect(printed.statusCode).toBe(303);
      ({ version } = await statusOf(caseId));
      expect((await statusOf(caseId)).status).toBe('PRINTING');

      expect((await act(post, caseId, 'dispatch', { expectedVersion: String(version), tracking: 'EMS-1' })).statusCode).toBe(403);
      expect((await act(hq, caseId, 'dispatch', { expectedVersion: String(version), tracking: 'EMS-123456789TW' })).statusCode).toBe(303);
      ({ version } = await statusOf(caseId));
      expect((await act(hq, caseId, 'ready', { expectedVersion: String(version) })).statusCode).toBe(403);
      expect((await page(post, caseId)).body).toContain('Mark as ready to collect');
      expect((await act(post, caseId, 'ready', { expectedVersion: String(version) })).statusCode).toBe(303);
      ({ version } = await statusOf(caseId));
      expect((await statusOf(caseId)).status).toBe('READY_FOR_PICKUP');
      const unconfirmed = await act(post, caseId, 'collect', { expectedVersion: String(version) });
      expect(unconfirmed.statusCode).toBe(400);
      expect((await act(post, caseId, 'collect', { expectedVersion: String(version), identityConfirmed: 'yes' })).statusCode).toBe(303);
      expect((await statusOf(caseId)).status).toBe('COLLECTED');
      const [row] = await dataSource.query(
        `SELECT passport_number, printed_at, dispatch_tracking, dispatched_at, ready_at, collected_at FROM passport_application WHERE case_id = $1`,
        [caseId],
      );
      expect(row.passport_number).not.toContain('300000001');
      expect([row.printed_at, row.dispatched_at, row.ready_at, row.collected_at].every(Boolean)).toBe(true);
      const events = await dataSource.query(`SELECT type, visibility FROM case_event WHERE case_id = $1 ORDER BY seq`, [caseId]);
      expect(events.map((e: { type: string }) => e.type)).toEqual(
        expect.arrayContaining(['passport.printing', 'passport.dispatched', 'passport.ready_for_pickup', 'passport.collected']),
      );

      // The status page: kind, post, fee and dates, never an identifier.
      const status = await inject({
        method: 'POST',
        url: '/api/v1/status',
        payload: {
          reference: (await dataSource.query(`SELECT reference FROM "case" WHERE id = $1`, [caseId]))[0].reference,
          surname: 'Lin',
          dateOfBirth: '1990-05-20',
        },
        remoteAddress: freshIp(),
      });
      expect(status.statusCode).toBe(200);
      const rows = (JSON.parse(status.body).details as { rows: string[][] }[])[0]!.rows.map((r) => r[0]);
      expect(rows).toEqual(['Application', 'Collecting post', 'Validity', 'Fee', 'Sent to your post on', 'Ready to collect since']);
      for (const secret of ['300000001', 'A123456789', '312345678', 'EMS-123456789TW', 'Taichung'])
        expect(status.body).not.toContain(secret);
    });

    it('a passport number is given once only', async () => {
      const first = await approvedAt('GB-LON');
      const second = await approvedAt('IN-DEL');
      const print = async (caseId: string, passportNumber: string) =>
        act(hq, caseId, 'print', { expectedVersion: String((await statusOf(caseId)).version), passportNumber });
      expect((await print(first, '300000777')).statusCode).toBe(303);
      const duplicate = await print(second, '300000777');
      expect(duplicate.statusCode).toBe(409);
      expect((await statusOf(second)).status).toBe('APPROVED');
      expect((await print(second, '300000778')).statusCode).toBe(303);
    });

    it('serves the photo to officers in scope only', async () => {
      const caseId = await approvedAt('VN-HAN');
      const shown = await inject({ method: 'GET', url: `/officer/passports/${caseId}/photo`, headers: post.headers });
      expect(shown.statusCode).toBe(200);
      expect(shown.headers['content-type']).toBe('image/jpeg');
      expect((await inject({ method: 'GET', url: `/officer/passports/${caseId}/photo`, headers: otherPost.headers })).statusCode).toBe(404);
      expect((await inject({ method: 'GET', url: `/officer/passports/${caseId}/photo` })).statusCode).not.toBe(200);
    });
  });

  it('exports and erases the personal data; a passport case without an application has nothing', async () => {
    const created = await submitted(inject, { kind: 'replacement_lost', policeReportReference: 'LAPD-2026-0042' });
    const port = app.get(ServiceCatalogue).personalData('passport');
    const exported = (await port.export(dataSource.manager, created.caseId)) as { application: Record<string, unknown> };
    expect(exported.application).toMatchObject({
      surname: 'Lin',
      nationalId: 'A123456789',
      previousPassportNumber: '312345678',
      policeReportReference: 'LAPD-2026-0042',
    });
    await dataSource.transaction((manager) => port.erase(manager, created.caseId));
    const [row] = await dataSource.query(`SELECT * FROM passport_application WHERE case_id = $1`, [created.caseId]);
    for (const column of [
      'surname',
      'given_names',
      'chinese_name',
      'sex',
      'date_of_birth',
      'place_of_birth',
      'national_id',
      'national_id_index',
      'previous_passport_number',
      'police_report_reference',
      'photo_file_id',
    ]) {
      expect(row[column]).toBeNull();
    }
    expect(row.fee_amount).toBe(45);
    const bare = await dataSource.transaction((manager) =>
      app.get(CaseSpine).openCase(manager, {
        machine: machineOf('passport'),
        status: 'SUBMITTED',
        postCode: 'US-LAX',
        locale: 'en',
        actor: { type: 'applicant' },
      }),
    );
    expect(await port.export(dataSource.manager, bare.id)).toEqual({});
    await dataSource.transaction((manager) => port.erase(manager, bare.id));
  });
});
