import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import type { DataSource } from 'typeorm';
import { EMERGENCY_SETTINGS, type EmergencySettings } from '@app/emergency';
import { ServiceCatalogue } from '@app/cases';
import { startTestStack, type TestStack } from '../harness/app.js';
import { Browser, fastifyOf, signInOfficer, type SignedInOfficer } from '../harness/identity.js';

/** A complete report by a family member at Tokyo who has the person's consent; fields can be overridden. */
function reportBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    category: 'hospitalisation_or_accident',
    country: 'Japan',
    city: 'Osaka',
    description: 'My brother was hit by a car and is in hospital.',
    personName: 'Lin Wei-Ting',
    relationship: 'family',
    familyUpdatesConsent: true,
    reporterName: 'Lin Mei-Hua',
    email: 'mei@example.test',
    phone: '+886 912 345 678',
    surname: 'Lin',
    dateOfBirth: '1985-06-30',
    postCode: 'JP-TYO',
    ...overrides,
  };
}

describe('emergency assistance', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let dataSource: DataSource;
  let tokyo: SignedInOfficer;
  let ip = 0;
  const nextIp = () => `198.51.100.${++ip}`;

  beforeAll(async () => {
    stack = await startTestStack();
    ({ api: app, dataSource } = stack);
    tokyo = await signInOfficer(app, { postCode: 'JP-TYO', roles: ['officer'] });
  });

  afterAll(async () => {
    await stack?.close();
  });

  const inject = (options: InjectOptions) => fastifyOf(app).inject(options);

  const report = (body: Record<string, unknown>, headers: Record<string, string> = {}, remoteAddress = nextIp()) =>
    inject({ method: 'POST', url: '/api/v1/emergency/reports', payload: body, headers, remoteAddress });

  async function reported(overrides: Record<string, unknown> = {}): Promise<{ caseId: string; reference: string }> {
    const response = await report(reportBody(overrides));
    expect(response.statusCode).toBe(201);
    const { reference } = JSON.parse(response.body) as { reference: string };
    const [row] = (await dataSource.query(`SELECT id FROM "case" WHERE reference = $1`, [reference])) as { id: string }[];
    return { caseId: row!.id, reference };
  }

  const counts = async () =>
    (
      (await dataSource.query(
        `SELECT (SELECT count(*) FROM "case" WHERE service = 'emergency')::int AS cases,
                (SELECT count(*) FROM emergency_case)::int AS emergencies,
                (SELECT count(*) FROM emergency_contact_log)::int AS contacts,
                (SELECT count(*) FROM case_event e JOIN "case" c ON c.id = e.case_id WHERE c.service = 'emergency')::int AS events`,
      )) as { cases: number; emergencies: number; contacts: number; events: number }[]
    )[0]!;

  const caseRow = async (caseId: string) =>
    (
      (await dataSource.query(`SELECT status, version, priority, sla_due_at, created_at FROM "case" WHERE id = $1`, [caseId])) as {
        status: string;
        version: number;
        priority: number;
        sla_due_at: Date | null;
        created_at: Date;
      }[]
    )[0]!;

  /** Posts an officer form with the officer's session and CSRF token. */
  const officerPost = (officer: SignedInOfficer, url: string, fields: Record<string, string>) =>
    inject({
      method: 'POST',
      url,
      headers: { ...officer.headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams({ ...fields, _csrf: officer.csrfToken }).toString(),
    });

  const officerGet = (officer: SignedInOfficer, url: string) =>
    inject({ method: 'GET', url, headers: { ...officer.headers, accept: 'text/html' } });

  const statusView = async (reference: string, surname = 'Lin', dateOfBirth = '1985-06-30', locale = 'en') => {
    const response = await inject({
      method: 'POST',
      url: `/api/v1/status?lang=${locale}`,
      payload: { reference, surname, dateOfBirth },
      remoteAddress: nextIp(),
    });
    expect(response.statusCode).toBe(200);
    return JSON.parse(response.body) as { status: string; details: { heading: string; rows: string[][]; emptyText?: string }[] };
  };

  describe('reporting through the JSON API', () => {
    it('opens the case in REPORTED with the category’s priority, its first-contact SLA and the texts encrypted', async () => {
      const settings = app.get<EmergencySettings>(EMERGENCY_SETTINGS);
      const { caseId, reference } = await reported({ category: 'arrest_or_detention' });
      expect(reference).toMatch(/^EM-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      const row = await caseRow(caseId);
      expect(row).toMatchObject({ status: 'REPORTED', priority: settings.defaultPriorityByCategory.arrest_or_detention });
      expect(row.sla_due_at!.getTime() - row.created_at.getTime()).toBeGreaterThanOrEqual(240 * 60_000 - 5_000);
      expect(row.sla_due_at!.getTime() - row.created_at.getTime()).toBeLessThanOrEqual(240 * 60_000 + 5_000);
      const [stored] = (await dataSource.query(`SELECT * FROM emergency_case WHERE case_id = $1`, [caseId])) as Record<string, unknown>[];
      expect(stored).toMatchObject({
        category: 'arrest_or_detention',
        city: 'Osaka',
        relationship: 'family',
        family_updates_consent: true,
      });
      expect(String(stored!.description)).not.toContain('hospital');
      expect(String(stored!.person_name)).not.toContain('Lin');
      // The reporter can look the case up with their own surname and date of birth.
      expect((await statusView(reference)).status).toBe('REPORTED');
    });

    it('refuses bad input field by field, with 400 and nothing written', async () => {
      const before = await counts();
      const response = await report(
        reportBody({
          category: 'alien_abduction',
          city: '',
          description: 'x'.repeat(4001),
          relationship: 'neighbour',
          email: 'not-an-email',
          phone: '',
          dateOfBirth: '2999-01-01',
          postCode: 'XX-NOPE',
        }),
      );
      expect(response.statusCode).toBe(400);
      const body = JSON.parse(response.body) as { error: { code: string; details: { field: string; messages: string[] }[] } };
      expect(body.error.code).toBe('VALIDATION_FAILED');
      expect(body.error.details.map((d) => d.field).sort()).toEqual(
        ['category', 'city', 'dateOfBirth', 'description', 'email', 'postCode', 'relationship'].sort(),
      );
      for (const hostile of [[], 'a string', { category: { $gt: '' } }, { familyUpdatesConsent: 'perhaps', relationship: 'friend' }]) {
        const refused = await report(hostile as Record<string, unknown>);
        expect(refused.statusCode).toBeGreaterThanOrEqual(400);
        expect(refused.statusCode).toBeLessThan(500);
      }
      expect(await counts()).toEqual(before);
    });

    it('asks a family member whether the person consented, but not someone reporting for themselves', async () => {
      const asked = await report(reportBody({ familyUpdatesConsent: undefined }));
      expect(asked.statusCode).toBe(400);
      expect(JSON.parse(asked.body).error.details).toEqual([{ field: 'familyUpdatesConsent', messages: [expect.any(String)] }]);
      const self = await report(reportBody({ relationship: 'self', familyUpdatesConsent: undefined }));
      expect(self.statusCode).toBe(201);
    });

    it('answers a repeated Idempotency-Key with the first report, once', async () => {
      const before = await counts();
      const headers = { 'idempotency-key': 'emergency-retry-0001' };
      const first = await report(reportBody(), headers);
      const again = await report(reportBody({ city: 'Kyoto' }), headers);
      expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
      expect(JSON.parse(again.body).reference).toBe(JSON.parse(first.body).reference);
      expect((await counts()).cases).toBe(before.cases + 1);
      expect((await report(reportBody(), { 'idempotency-key': 'short' })).statusCode).toBe(400);
    });

    it('writes the case and its emergency row together or not at all', async () => {
      // A category the form accepts but the table refuses: the emergency row fails after the case row was written.
      const settings = app.get<EmergencySettings>(EMERGENCY_SETTINGS);
      settings.categories.push('not_in_the_table');
      const before = await counts();
      try {
        const response = await report(reportBody({ category: 'not_in_the_table' }));
        expect(response.statusCode).toBe(500);
      } finally {
        settings.categories.pop();
      }
      expect(await counts()).toEqual(before);
    });

    it('limits reports per IP', async () => {
      const settings = app.get<EmergencySettings>(EMERGENCY_SETTINGS);
      const address = nextIp();
      for (let i = 0; i < settings.reportsPerIpPerHour; i++) expect((await report({}, {}, address)).statusCode).toBe(400);
      const refused = await report(reportBody(), {}, address);
      expect(refused.statusCode).toBe(429);
      expect(JSON.parse(refused.body).error.code).toBe('TOO_MANY_REQUESTS');
    });
  });

  describe('reporting through the pages', () => {
    it('shows the hotline first, then takes a report with an error summary on a bad submit, in both languages', async () => {
      const browser = new Browser(app, { remoteAddress: nextIp() });
      const start = await browser.get('/emergency?lang=zh-Hant');
      expect(start.statusCode).toBe(200);
      expect(start.body).toContain('+800-0885-0885');
      expect(start.body).toContain('通報海外急難事件');
      const english = await browser.get('/emergency/report?lang=en');
      expect(english.statusCode).toBe(200);
      expect(english.body).toContain('Tell us about the emergency');
      const page = await browser.get('/emergency/report?lang=zh-Hant');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('台北駐日經濟文化代表處');

      const before = await counts();
      const refused = await browser.post('/emergency/report', { category: 'missing_person', city: 'Osaka' });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('class="error-summary"');
      expect(refused.body).toContain('href="#description"');
      expect(refused.body).toContain('請輸入您的姓氏');
      expect(refused.body).toContain('value="Osaka"');
      expect(await counts()).toEqual(before);

      const fields = reportBody({ familyUpdatesConsent: 'yes', dateOfBirth: undefined }) as Record<string, string>;
      delete fields.dateOfBirth;
      const accepted = await browser.post('/emergency/report', { ...fields, dobDay: '30', dobMonth: '6', dobYear: '1985' });
      expect(accepted.statusCode).toBe(200);
      const reference = /EM-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(accepted.body)?.[0];
      expect(reference).toBeDefined();
      const [stored] = (await dataSource.query(`SELECT locale, status FROM "case" WHERE reference = $1`, [reference])) as {
        locale: string;
        status: string;
      }[];
      expect(stored).toEqual({ locale: 'zh-Hant', status: 'REPORTED' });
    });

    it('refuses a page post without its CSRF token', async () => {
      const browser = new Browser(app, { remoteAddress: nextIp() });
      await browser.get('/emergency/report');
      const refused = await browser.post('/emergency/report', reportBody() as Record<string, string>, { csrf: false });
      expect(refused.statusCode).toBe(403);
    });
  });

  describe('the officers’ work', () => {
    it('triage → in progress → contacts → resolved → closed; the reporter sees shared updates and never internal notes', async () => {
      const { caseId, reference } = await reported({ category: 'lost_or_stolen_passport' });
      const base = `/officer/emergency/${caseId}`;
      const page = await officerGet(tokyo, base);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('My brother was hit by a car');
      expect(page.body).toContain('mei@example.test');
      const [audited] = (await dataSource.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'case.personal_data_viewed' AND target_id = $1`,
        [caseId],
      )) as { n: number }[];
      expect(audited!.n).toBe(1);

      // Starting work before triage is not in the transition table.
      const early = await officerPost(tokyo, `${base}/start`, { expectedVersion: '1' });
      expect(early.statusCode).toBe(409);
      expect((await caseRow(caseId)).status).toBe('REPORTED');

      const badPriority = await officerPost(tokyo, `${base}/triage`, { expectedVersion: '1', priority: '7' });
      expect(badPriority.statusCode).toBe(400);
      const triaged = await officerPost(tokyo, `${base}/triage`, { expectedVersion: '1', priority: '1' });
      expect(triaged.statusCode).toBe(303);
      let row = await caseRow(caseId);
      expect(row).toMatchObject({ status: 'TRIAGED', priority: 1, version: 2 });
      expect(row.sla_due_at!.getTime() - row.created_at.getTime()).toBeLessThanOrEqual(60 * 60_000 + 5_000);

      // A stale version (the officer saw version 1) is refused and changes nothing.
      const stale = await officerPost(tokyo, `${base}/start`, { expectedVersion: '1' });
      expect(stale.statusCode).toBe(409);
      expect(stale.body).toContain('version 1');
      expect((await caseRow(caseId)).version).toBe(2);

      expect((await officerPost(tokyo, `${base}/start`, { expectedVersion: '2' })).statusCode).toBe(303);
      expect((await caseRow(caseId)).status).toBe('IN_PROGRESS');

      const internal = await officerPost(tokyo, `${base}/contacts`, {
        channel: 'phone',
        note: 'Hospital says he is stable; insurer not yet reached.',
        share: 'no',
      });
      expect(internal.statusCode).toBe(303);
      row = await caseRow(caseId);
      expect(row.sla_due_at).toBeNull();
      const shared = await officerPost(tokyo, `${base}/contacts`, {
        channel: 'email',
        note: 'We visited your brother; he is recovering.',
        share: 'yes',
      });
      expect(shared.statusCode).toBe(303);
      const badContact = await officerPost(tokyo, `${base}/contacts`, { channel: 'pigeon', note: '' });
      expect(badContact.statusCode).toBe(400);

      const events = (await dataSource.query(`SELECT type, visibility FROM case_event WHERE case_id = $1 ORDER BY seq`, [caseId])) as {
        type: string;
        visibility: string;
      }[];
      expect(events.slice(-2)).toEqual([
        { type: 'emergency.contact_logged', visibility: 'internal' },
        { type: 'emergency.update_shared', visibility: 'applicant' },
      ]);
      // The shared update is an applicant-visible event, so a notification is queued for it.
      const [queued] = (await dataSource.query(
        `SELECT count(*)::int AS n FROM outbox WHERE payload->>'caseId' = $1 AND (payload->>'eventSeq')::int = $2`,
        [caseId, events.length],
      )) as { n: number }[];
      expect(queued!.n).toBe(1);

      let view = await statusView(reference, 'lin', '1985-6-30', 'zh-Hant');
      expect(view.status).toBe('IN_PROGRESS');
      const cells = view.details.flatMap((section) => section.rows.flat());
      expect(cells).toContain('We visited your brother; he is recovering.');
      expect(JSON.stringify(view)).not.toContain('insurer');

      const noNote = await officerPost(tokyo, `${base}/resolve`, { expectedVersion: '5', resolutionNote: ' ' });
      expect(noNote.statusCode).toBe(400);
      expect(
        (await officerPost(tokyo, `${base}/resolve`, { expectedVersion: '5', resolutionNote: 'He flew home on 3 December.' })).statusCode,
      ).toBe(303);
      expect((await officerPost(tokyo, `${base}/resolve`, { expectedVersion: '6', resolutionNote: 'Again.' })).statusCode).toBe(409);
      expect((await officerPost(tokyo, `${base}/close`, { expectedVersion: '6' })).statusCode).toBe(303);
      expect((await caseRow(caseId)).status).toBe('CLOSED');
      view = await statusView(reference);
      expect(view.details.flatMap((section) => section.rows.flat())).toContain('He flew home on 3 December.');
    });

    it('shares nothing with a reporter the person did not consent to', async () => {
      const { caseId, reference } = await reported({ relationship: 'friend', familyUpdatesConsent: false });
      const before = await counts();
      const refused = await officerPost(tokyo, `/officer/emergency/${caseId}/contacts`, {
        channel: 'phone',
        note: 'He asked us not to tell anyone.',
        share: 'yes',
      });
      expect(refused.statusCode).toBe(400);
      expect(await counts()).toEqual(before);
      expect(
        (await officerPost(tokyo, `/officer/emergency/${caseId}/contacts`, { channel: 'phone', note: 'He asked us not to tell anyone.' }))
          .statusCode,
      ).toBe(303);
      const view = await statusView(reference);
      expect(JSON.stringify(view)).not.toContain('not to tell');
      expect(view.details[0]!.rows).toEqual([]);
    });

    it('is post-scoped: another post’s officer gets 404, HQ and supervisors see it; the workspace links here', async () => {
      const { caseId } = await reported();
      const manila = await signInOfficer(app, { postCode: 'PH-MNL', roles: ['officer'] });
      expect((await officerGet(manila, `/officer/emergency/${caseId}`)).statusCode).toBe(404);
      expect((await officerPost(manila, `/officer/emergency/${caseId}/triage`, { expectedVersion: '1', priority: '2' })).statusCode).toBe(
        404,
      );
      expect((await caseRow(caseId)).status).toBe('REPORTED');
      const supervisor = await signInOfficer(app, { postCode: 'PH-MNL', roles: ['supervisor'] });
      expect((await officerGet(supervisor, `/officer/emergency/${caseId}`)).statusCode).toBe(200);
      const hq = await signInOfficer(app, { postCode: 'HQ-TPE', roles: ['officer'] });
      expect((await officerGet(hq, `/officer/emergency/${caseId}`)).statusCode).toBe(200);
      const admin = await signInOfficer(app, { postCode: 'JP-TYO', roles: ['admin'] });
      expect((await officerGet(admin, `/officer/emergency/${caseId}`)).statusCode).toBe(403);

      const workspace = await officerGet(tokyo, `/officer/cases/${caseId}`);
      expect(workspace.statusCode).toBe(200);
      expect(workspace.body).toContain(`href="/officer/emergency/${caseId}"`);
      expect(workspace.body).toContain('Lin Wei-Ting');
      // An eVisa or passport case is not an emergency case.
      const [other] = (await dataSource.query(`SELECT id FROM "case" WHERE service <> 'emergency' LIMIT 1`)) as { id: string }[];
      if (other) expect((await officerGet(tokyo, `/officer/emergency/${other.id}`)).statusCode).toBe(404);
    });

    it('works the same through the officers’ JSON API: field errors, 409 on a stale version, nothing encrypted or internal in the answer', async () => {
      const { caseId, reference } = await reported();
      const api = (method: 'GET' | 'POST', path: string, body?: Record<string, unknown>) =>
        inject({
          method,
          url: `/api/v1/officer/emergency/${caseId}${path}`,
          headers: { ...tokyo.headers, 'x-csrf-token': tokyo.csrfToken, ...(body ? { 'content-type': 'application/json' } : {}) },
          payload: body ? JSON.stringify(body) : undefined,
        });
      const opened = await api('GET', '');
      expect(opened.statusCode).toBe(200);
      const view = JSON.parse(opened.body);
      expect(view).toMatchObject({
        case: { id: caseId, reference, status: 'REPORTED', version: 1 },
        reporter: { name: 'Lin Mei-Hua', email: 'mei@example.test' },
        emergency: { personName: 'Lin Wei-Ting', category: 'hospitalisation_or_accident' },
        sharingAllowed: true,
      });
      expect(opened.body).not.toMatch(/"v1\.|lookupKey|lookup_key|idempotency/);

      const badPriority = await api('POST', '/triage', { expectedVersion: 1, priority: 7 });
      expect(badPriority.statusCode).toBe(400);
      expect(JSON.parse(badPriority.body).error.details.map((d: { field: string }) => d.field)).toEqual(['priority']);
      expect((await api('POST', '/triage', { expectedVersion: 1, priority: 1 })).statusCode).toBe(204);
      expect((await api('POST', '/start', { expectedVersion: 1 })).statusCode).toBe(409);
      expect((await api('POST', '/start', { expectedVersion: 2 })).statusCode).toBe(204);
      expect((await api('POST', '/contacts', { channel: 'phone', note: 'Spoke with the hospital.', share: true })).statusCode).toBe(204);
      const { version } = await caseRow(caseId);
      expect((await api('POST', '/resolve', { expectedVersion: version, resolutionNote: 'Discharged and home.' })).statusCode).toBe(204);
      expect((await api('POST', '/close', { expectedVersion: version + 1 })).statusCode).toBe(204);
      expect((await caseRow(caseId)).status).toBe('CLOSED');
      const updates = (await statusView(reference)).details.flatMap((section) => section.rows.map((row) => row.join(' ')));
      expect(updates.join('\n')).toContain('Spoke with the hospital.');
    });

    it('exports and erases the personal data through the lifecycle registry', async () => {
      const { caseId } = await reported();
      await officerPost(tokyo, `/officer/emergency/${caseId}/contacts`, { channel: 'phone', note: 'Called the hospital.' });
      const port = app.get(ServiceCatalogue).personalData('emergency');
      const exported = await port.export(dataSource.manager, caseId);
      expect(exported).toMatchObject({
        report: { description: 'My brother was hit by a car and is in hospital.', personName: 'Lin Wei-Ting' },
        contacts: [{ channel: 'phone', note: 'Called the hospital.' }],
      });
      await dataSource.transaction((manager) => port.erase(manager, caseId));
      const [erased] = (await dataSource.query(
        `SELECT description, person_name, resolution_note, (SELECT array_agg(note) FROM emergency_contact_log WHERE case_id = $1) AS notes
           FROM emergency_case WHERE case_id = $1`,
        [caseId],
      )) as Record<string, unknown>[];
      expect(erased).toEqual({ description: null, person_name: null, resolution_note: null, notes: [null] });
    });
  });
});
