import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { ServiceCatalogue } from '@app/cases';
import { startTestStack, type TestStack } from '../harness/app.js';
import { Browser, createAccessToken, createTestOfficer, signInOfficer, type SignedInOfficer } from '../harness/identity.js';
import { freshIp, type Inject, injector, submitted } from './helpers.js';

const FULL_MEMBERS = [
  'AUS',
  'BRN',
  'CHL',
  'CHN',
  'HKG',
  'IDN',
  'JPN',
  'KOR',
  'MYS',
  'MEX',
  'NZL',
  'PNG',
  'PER',
  'PHL',
  'RUS',
  'SGP',
  'THA',
  'VNM',
];

describe('ABTC on the officer side: home check, pre-clearance, the card, the status page and personal data', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let inject: Inject;
  let dataSource: DataSource;
  let officer: SignedInOfficer;

  beforeAll(async () => {
    stack = await startTestStack();
    app = stack.api;
    inject = injector(app);
    dataSource = stack.dataSource;
    officer = await signInOfficer(app, { postCode: 'HQ-TPE' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  const caseOf = async (caseId: string) =>
    ((await dataSource.query(`SELECT status, version FROM "case" WHERE id = $1`, [caseId])) as { status: string; version: number }[])[0]!;

  const clearances = async (caseId: string) =>
    Object.fromEntries(
      (
        (await dataSource.query(`SELECT economy, status FROM abtc_clearance WHERE case_id = $1`, [caseId])) as {
          economy: string;
          status: string;
        }[]
      ).map((r) => [r.economy, r.status]),
    );

  /** Submits, then claims it as a new HQ officer (the queue holds only this case): the home check starts. */
  async function claimed(overrides: Parameters<typeof submitted>[1] = {}) {
    const application = await submitted(inject, overrides);
    const created = await createTestOfficer(app, { postCode: 'HQ-TPE' });
    const token = await createAccessToken(app, created.authenticated);
    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    const claim = await call('POST', '/api/v1/officer/queue/claim-next');
    expect(claim.statusCode).toBe(200);
    expect(JSON.parse(claim.body).case.id).toBe(application.caseId);
    const current = await caseOf(application.caseId);
    expect(current.status).toBe('DOMESTIC_REVIEW');
    return { application, call, version: current.version };
  }

  async function inPreClearance(overrides: Parameters<typeof submitted>[1] = {}) {
    const { application, call, version } = await claimed(overrides);
    const approved = await call('POST', `/api/v1/officer/cases/${application.caseId}/actions`, {
      action: 'approve',
      expectedVersion: version,
    });
    expect(approved.statusCode).toBe(200);
    return { application, call };
  }

  const page = (who: SignedInOfficer, caseId: string) =>
    inject({ method: 'GET', url: `/officer/abtc/${caseId}`, headers: { ...who.headers, accept: 'text/html' } });

  const post = (who: SignedInOfficer, url: string, fields: Record<string, string>) =>
    inject({
      method: 'POST',
      url,
      headers: { ...who.headers, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: who.csrfToken, ...fields }).toString(),
    });

  async function answer(caseId: string, economy: string, decision: 'APPROVED' | 'REFUSED', note = '') {
    const { version } = await caseOf(caseId);
    return post(officer, `/officer/abtc/${caseId}/clearances`, { expectedVersion: String(version), economy, decision, note });
  }

  let issuedCase: { caseId: string; reference: string };

  it('approval of the home check opens one clearance per economy: PENDING for full members, N/A for transitional ones', async () => {
    const { application, call } = await inPreClearance();
    expect(await caseOf(application.caseId)).toMatchObject({ status: 'PRE_CLEARANCE' });
    const rows = await clearances(application.caseId);
    expect(Object.keys(rows).sort()).toEqual([...FULL_MEMBERS, 'CAN', 'USA'].sort());
    expect(rows.TWN).toBeUndefined();
    expect([rows.CAN, rows.USA]).toEqual(['NOT_APPLICABLE', 'NOT_APPLICABLE']);
    expect(FULL_MEMBERS.every((code) => rows[code] === 'PENDING')).toBe(true);

    const workspace = JSON.parse((await call('GET', `/api/v1/officer/cases/${application.caseId}`)).body);
    expect(workspace.details).toEqual(
      expect.arrayContaining([
        { labelKey: 'abtc.field.passportNumber', value: '312345678' },
        { labelKey: 'abtc.field.sex', value: 'male' },
        { labelKey: 'abtc.officer.clearanceRow', value: 'Japan: waiting for an answer' },
        { labelKey: 'abtc.officer.clearanceRow', value: 'Canada: not applicable (transitional member)' },
      ]),
    );
    expect(workspace.links).toEqual([{ href: `/officer/abtc/${application.caseId}`, labelKey: 'abtc.officer.clearanceLink' }]);
    // The home check is over: the case has left the queue and nobody holds it.
    expect(JSON.parse((await call('POST', '/api/v1/officer/queue/claim-next')).body).case).toBeNull();
    issuedCase = application;
  });

  it('a refusal in the home check needs its reason in words and opens no clearance', async () => {
    const { application, call, version } = await claimed();
    const action = (text?: string) =>
      call('POST', `/api/v1/officer/cases/${application.caseId}/actions`, {
        action: 'refuse',
        expectedVersion: version,
        reasonCode: 'documents_insufficient',
        ...(text ? { text } : {}),
      });
    const bare = await action();
    expect(bare.statusCode).toBe(400);
    expect(JSON.parse(bare.body).error.details[0].field).toBe('text');
    expect((await caseOf(application.caseId)).status).toBe('DOMESTIC_REVIEW');
    expect((await action('The police record certificate is older than three months.')).statusCode).toBe(200);
    expect((await caseOf(application.caseId)).status).toBe('REFUSED');
    expect(await clearances(application.caseId)).toEqual({});
  });

  it('records answers at the version the officer saw; issues only once nothing is pending; the card is capped by the passport', async () => {
    const { caseId } = issuedCase;
    const shown = await page(officer, caseId);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toMatch(/<td>Japan<\/td><td>Waiting for an answer<\/td>/);
    expect(shown.body).not.toContain('/issue"');

    const { version } = await caseOf(caseId);
    const stale = await post(officer, `/officer/abtc/${caseId}/clearances`, {
      expectedVersion: String(version - 1),
      economy: 'JPN',
      decision: 'APPROVED',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('This case changed since you opened it');
    expect((await clearances(caseId)).JPN).toBe('PENDING');

    const noNote = await answer(caseId, 'KOR', 'REFUSED');
    expect(noNote.statusCode).toBe(400);
    expect(noNote.body).toContain('Say why the economy refused.');
    expect((await answer(caseId, 'CAN', 'APPROVED')).statusCode).toBe(409);
    expect((await answer(caseId, 'TWN', 'APPROVED')).statusCode).toBe(400);

    expect((await answer(caseId, 'JPN', 'APPROVED')).statusCode).toBe(303);
    expect((await answer(caseId, 'JPN', 'REFUSED', 'twice')).statusCode).toBe(409);
    expect((await answer(caseId, 'KOR', 'REFUSED', 'Earlier overstay on record.')).statusCode).toBe(303);
    const stored = await dataSource.query(`SELECT note FROM abtc_clearance WHERE case_id = $1 AND economy = 'KOR'`, [caseId]);
    expect(stored[0].note).not.toContain('overstay');

    const early = await post(officer, `/officer/abtc/${caseId}/issue`, { expectedVersion: String((await caseOf(caseId)).version) });
    expect(early.statusCode).toBe(409);
    expect(early.body).toContain('economies have not answered yet');
    expect((await caseOf(caseId)).status).toBe('PRE_CLEARANCE');

    for (const code of FULL_MEMBERS.filter((c) => c !== 'JPN' && c !== 'KOR')) {
      const decision = ['SGP', 'AUS'].includes(code) ? 'APPROVED' : 'REFUSED';
      expect((await answer(caseId, code, decision, decision === 'REFUSED' ? 'Not pre-cleared.' : '')).statusCode).toBe(303);
    }
    const ready = await page(officer, caseId);
    expect(ready.body).toContain(`action="/officer/abtc/${caseId}/issue"`);
    const issued = await post(officer, `/officer/abtc/${caseId}/issue`, { expectedVersion: String((await caseOf(caseId)).version) });
    expect([issued.statusCode, issued.headers.location]).toEqual([303, `/officer/abtc/${caseId}?done=issued`]);
    expect((await caseOf(caseId)).status).toBe('ISSUED');
    const [card] = await dataSource.query(
      `SELECT card_number, valid_from::text AS valid_from, valid_until::text AS valid_until FROM abtc_application WHERE case_id = $1`,
      [caseId],
    );
    const taipeiToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Taipei' }).format(new Date());
    expect(card.valid_from).toBe(taipeiToday);
    expect(card.card_number).toMatch(new RegExp(`^ABTC-${taipeiToday.slice(0, 4)}-\\d{6}$`));
    // The passport expires on 2034-05-31; five years from today end sooner.
    expect(card.valid_until).toBe(`${Number(taipeiToday.slice(0, 4)) + 5}${taipeiToday.slice(4)}`);
    const [event] = await dataSource.query(`SELECT payload FROM case_event WHERE case_id = $1 AND type = 'abtc.issued'`, [caseId]);
    expect(event.payload.economies).toEqual(['AUS', 'JPN', 'SGP']);
    expect(
      (await post(officer, `/officer/abtc/${caseId}/issue`, { expectedVersion: String((await caseOf(caseId)).version) })).statusCode,
    ).toBe(409);
  });

  it('a card ends when the passport expires, if that is sooner than five years', async () => {
    const expiry = new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10);
    const { application } = await inPreClearance({ passport: { passportNumber: '300000001', passportExpiry: expiry } });
    for (const code of FULL_MEMBERS)
      expect((await answer(application.caseId, code, code === 'NZL' ? 'APPROVED' : 'REFUSED', 'No.')).statusCode).toBe(303);
    const issued = await post(officer, `/officer/abtc/${application.caseId}/issue`, {
      expectedVersion: String((await caseOf(application.caseId)).version),
    });
    expect(issued.statusCode).toBe(303);
    const [card] = await dataSource.query(`SELECT valid_until::text AS valid_until FROM abtc_application WHERE case_id = $1`, [
      application.caseId,
    ]);
    expect(card.valid_until).toBe(expiry);
  });

  it('refuses the application only once every full member refused, with a reason in words', async () => {
    const { application } = await inPreClearance({ passport: { passportNumber: '300000002' } });
    const { caseId } = application;
    for (const code of FULL_MEMBERS.slice(1)) expect((await answer(caseId, code, 'REFUSED', 'Refused.')).statusCode).toBe(303);
    const tooEarly = await post(officer, `/officer/abtc/${caseId}/refuse`, {
      expectedVersion: String((await caseOf(caseId)).version),
      reason: 'No economy pre-cleared you.',
    });
    expect(tooEarly.statusCode).toBe(409);
    expect((await answer(caseId, FULL_MEMBERS[0]!, 'REFUSED', 'Refused.')).statusCode).toBe(303);
    const noReason = await post(officer, `/officer/abtc/${caseId}/refuse`, {
      expectedVersion: String((await caseOf(caseId)).version),
      reason: '',
    });
    expect(noReason.statusCode).toBe(400);
    expect(
      (await post(officer, `/officer/abtc/${caseId}/issue`, { expectedVersion: String((await caseOf(caseId)).version) })).statusCode,
    ).toBe(409);
    const refused = await post(officer, `/officer/abtc/${caseId}/refuse`, {
      expectedVersion: String((await caseOf(caseId)).version),
      reason: 'No economy pre-cleared you.',
    });
    expect(refused.statusCode).toBe(303);
    expect((await caseOf(caseId)).status).toBe('REFUSED');
  });

  it("another post's officer gets 404; HQ officers and supervisors elsewhere see the page", async () => {
    const { caseId } = issuedCase;
    const elsewhere = await signInOfficer(app, { postCode: 'US-LAX' });
    expect((await page(elsewhere, caseId)).statusCode).toBe(404);
    const version = String((await caseOf(caseId)).version);
    expect(
      (await post(elsewhere, `/officer/abtc/${caseId}/clearances`, { expectedVersion: version, economy: 'JPN', decision: 'APPROVED' }))
        .statusCode,
    ).toBe(404);
    expect((await post(elsewhere, `/officer/abtc/${caseId}/issue`, { expectedVersion: version })).statusCode).toBe(404);
    const supervisor = await signInOfficer(app, { postCode: 'JP-TYO', roles: ['supervisor'] });
    expect((await page(supervisor, caseId)).statusCode).toBe(200);
    const anonymous = await inject({ method: 'GET', url: `/officer/abtc/${caseId}`, headers: { accept: 'text/html' } });
    expect([302, 303, 401]).toContain(anonymous.statusCode);
  });

  it('the status page shows the clearance table in the reader’s language, and nothing personal', async () => {
    const { reference } = issuedCase;
    const ask = () =>
      inject({
        method: 'POST',
        url: '/api/v1/status',
        payload: { reference, surname: 'Lin', dateOfBirth: '1979-06-02' },
        remoteAddress: freshIp(),
      });
    const en = await ask();
    expect(en.statusCode).toBe(200);
    const sections = JSON.parse(en.body).details as { heading: string; rows: string[][] }[];
    expect(sections.map((s) => s.heading)).toEqual(['Pre-clearance by economy', 'Your card']);
    expect(sections[0]!.rows).toEqual(
      expect.arrayContaining([
        ['Japan', 'Approved'],
        ['Republic of Korea', 'Refused'],
        ['Canada', 'Not applicable (transitional member)'],
      ]),
    );
    expect(sections[0]!.rows).toHaveLength(20);
    expect(sections[1]!.rows[2]).toEqual(['Economies on the card', 'Australia, Japan, Singapore']);
    for (const secret of ['312345678', 'Formosa', 'overstay', 'ABTC-', 'distributors']) expect(en.body).not.toContain(secret);

    // The page, in Chinese: economy names and results in words in the reader's language.
    const reader = new Browser(app, { remoteAddress: freshIp() });
    await reader.get('/status?lang=zh-Hant');
    const zh = await reader.post('/status', { reference, surname: 'lin', dobDay: '02', dobMonth: '06', dobYear: '1979' });
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('<h2>各經濟體預審結果</h2>');
    expect(zh.body).toMatch(/<td>日本<\/td><td>已核准<\/td>/);
    expect(zh.body).toMatch(/<td>加拿大<\/td><td>不適用（過渡會員）<\/td>/);
    for (const secret of ['312345678', 'Formosa', 'overstay', 'ABTC-']) expect(zh.body).not.toContain(secret);
  });

  it('exports the application decrypted and erases every encrypted column', async () => {
    const { caseId } = issuedCase;
    const port = app.get(ServiceCatalogue).personalData('abtc');
    const exported = (await port.export(dataSource.manager, caseId)) as {
      application: { passportNumber: string; companyName: string; surname: string; clearances: { economy: string; note: string | null }[] };
    };
    expect(exported.application).toMatchObject({
      passportNumber: '312345678',
      companyName: 'Formosa Semiconductor Trading Co.',
      surname: 'Lin',
    });
    expect(exported.application.clearances.find((c) => c.economy === 'KOR')!.note).toBe('Earlier overstay on record.');
    await dataSource.transaction((manager) => port.erase(manager, caseId));
    const [row] = await dataSource.query(`SELECT * FROM abtc_application WHERE case_id = $1`, [caseId]);
    for (const column of [
      'given_names',
      'surname',
      'date_of_birth',
      'passport_number',
      'passport_number_index',
      'company_name',
      'job_title',
      'business_reason',
    ]) {
      expect([column, row[column]]).toEqual([column, null]);
    }
    expect(row.card_number).toMatch(/^ABTC-/);
    const notes = await dataSource.query(`SELECT count(*)::int AS n FROM abtc_clearance WHERE case_id = $1 AND note IS NOT NULL`, [caseId]);
    expect(notes).toEqual([{ n: 0 }]);
    const after = (await port.export(dataSource.manager, caseId)) as { application: { passportNumber: string | null } };
    expect(after.application.passportNumber).toBeNull();
  });
});
