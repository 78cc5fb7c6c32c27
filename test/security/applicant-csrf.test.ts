import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import fs from 'node:fs';
import { DataSource } from 'typeorm';
import { EvisaApplicationService } from '@app/evisa';
import { RouteInventory } from '@app/identity';
import { type AppConfig } from '@app/platform';
import { startTestStack, type TestStack } from '../harness/app.js';
import { Browser, fastifyOf } from '../harness/identity.js';
import { applicantAnswers, browserInjector, completeDraft, multipart, photoWithExif, submittedApplication } from '../evisa/helpers.js';
import { databaseFingerprint, freshAddress, isPageRoute, urlOf } from './support.js';

const FORM = 'application/x-www-form-urlencoded';

/**
 * CSRF on the applicant's side: every public and applicant page POST (found through
 * RouteInventory), sent as a cross-site form would be — with the applicant's own cookies but
 * without the token, or with a token that belongs to another visitor — gets 403 and writes
 * nothing, in any table or in file storage. The same form with the right token does its work.
 */
describe('CSRF on anonymous and applicant forms', () => {
  let stack: TestStack;
  let config: AppConfig;
  let app: NestFastifyApplication;
  let dataSource: DataSource;
  let visitor: Browser;
  let stranger: Browser;
  let draft: { token: string; caseId: string };
  let submitted: { caseId: string; reference: string };
  let applicantToken: string;

  beforeAll(async () => {
    stack = await startTestStack();
    ({ config, api: app } = stack);
    dataSource = app.get(DataSource);
    const inject = await browserInjector(app);
    draft = await completeDraft(inject);
    submitted = await submittedApplication(inject);
    applicantToken = app.get(EvisaApplicationService).applicantToken(submitted.caseId);
    visitor = new Browser(app);
    await visitor.get('/evisa/eligibility');
    stranger = new Browser(app);
    await stranger.get('/evisa/eligibility');
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** Plausible values for every field any of these forms reads, so that the request would otherwise succeed. */
  const fields = () => {
    const a = applicantAnswers();
    return {
      ...a.eligibility,
      ...a.name,
      ...a.personal,
      reference: submitted.reference,
      expectedVersion: '2',
      text: 'Here is the document you asked for.',
      cardNumber: '4242 4242 4242 4242',
      visaNumber: 'EV0000001',
      passportNumber: 'P1234567A',
      seal: '00',
      username: 'demo.officer',
      password: 'not the password',
      reason: 'identity_mismatch',
    };
  };

  const storedBlobs = () =>
    fs.existsSync(config.storageDir)
      ? fs.readdirSync(config.storageDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length
      : 0;

  it('refuses every public and applicant page POST without a valid token with 403, and writes nothing', async () => {
    const forms = app
      .get(RouteInventory)
      .routes()
      .filter((route) => route.method === 'POST' && isPageRoute(route) && route.policy?.kind !== 'officer');
    expect(forms.map((route) => route.path)).toEqual(
      expect.arrayContaining(['/evisa/eligibility', '/evisa/questions/:step', '/evisa/access']),
    );
    const cookies = [`evisa_draft=${draft.token}`, `evisa_case=${applicantToken}`];
    const attempts: [string, string[], string | undefined][] = [
      ['no token', [`csrf=${visitor.cookie('csrf')}`, ...cookies], undefined],
      ["another visitor's token", [`csrf=${visitor.cookie('csrf')}`, ...cookies], stranger.lastCsrf],
      ['a token without its cookie', cookies, visitor.lastCsrf],
      ['an empty token', [`csrf=${visitor.cookie('csrf')}`, ...cookies], ''],
    ];
    const before = await databaseFingerprint(dataSource);
    const blobs = storedBlobs();
    const accepted: string[] = [];
    for (const route of forms) {
      const url = urlOf(route, (name) => (name === 'step' ? 'name' : name === 'slot' ? 'photo' : 'SANDBOX-REF'));
      for (const [label, jar, token] of attempts) {
        const body = new URLSearchParams(fields());
        if (token !== undefined) body.set('_csrf', token);
        const request: InjectOptions = {
          method: 'POST',
          url,
          remoteAddress: freshAddress(),
          headers: { accept: 'text/html', 'content-type': FORM, cookie: jar.join('; ') },
          payload: body.toString(),
        };
        const response = await fastifyOf(app).inject(request);
        if (response.statusCode !== 403) accepted.push(`${route.path} with ${label}: ${response.statusCode}`);
      }
      // A multipart post (an upload form) carries the token in its action URL; here it has none.
      const upload = multipart([{ name: 'file', filename: 'me.jpg', contentType: 'image/jpeg', data: await photoWithExif() }]);
      const response = await fastifyOf(app).inject({
        method: 'POST',
        url,
        headers: { accept: 'text/html', ...upload.headers, cookie: [`csrf=${visitor.cookie('csrf')}`, ...cookies].join('; ') },
        payload: upload.payload,
      });
      if (response.statusCode !== 403) accepted.push(`${route.path} as multipart without a token: ${response.statusCode}`);
    }
    expect(accepted).toEqual([]);
    expect(await databaseFingerprint(dataSource)).toEqual(before);
    expect(storedBlobs()).toBe(blobs);
  });

  it('does the work once the right token comes with the form (so the refusals above were the token)', async () => {
    const cases = async () => Number(((await dataSource.query(`SELECT count(*) AS n FROM "case"`)) as { n: string }[])[0]!.n);
    const before = await cases();
    const refused = await visitor.post('/evisa/eligibility', applicantAnswers().eligibility, { csrf: false });
    expect([refused.statusCode, await cases()]).toEqual([403, before]);
    const accepted = await visitor.post('/evisa/eligibility', applicantAnswers().eligibility);
    expect([accepted.statusCode, await cases()]).toEqual([200, before + 1]);
    expect(visitor.cookie('evisa_draft')).toBeTruthy();

    const upload = multipart([{ name: 'file', filename: 'me.jpg', contentType: 'image/jpeg', data: await photoWithExif() }]);
    const blobs = storedBlobs();
    const uploaded = await fastifyOf(app).inject({
      method: 'POST',
      url: `/evisa/upload/photo?_csrf=${encodeURIComponent(visitor.lastCsrf!)}`,
      headers: {
        accept: 'text/html',
        ...upload.headers,
        cookie: `csrf=${visitor.cookie('csrf')}; evisa_draft=${visitor.cookie('evisa_draft')}`,
      },
      payload: upload.payload,
    });
    expect(uploaded.statusCode).toBe(303);
    expect(storedBlobs()).toBe(blobs + 1);
  });
});
