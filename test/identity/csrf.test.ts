import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions } from 'fastify';
import { DataSource } from 'typeorm';
import { startTestStack, type TestStack } from '../harness/app.js';
import { Browser, createAccessToken, createTestOfficer, fastifyOf, signInOfficer } from '../harness/identity.js';

const FORM = 'application/x-www-form-urlencoded';

describe('CSRF protection', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    stack = await startTestStack({ env: { BULL_BOARD_ENABLED: 'true' } });
    app = stack.api;
  });

  afterAll(async () => {
    await stack?.close();
  });

  const inject = (options: InjectOptions) => fastifyOf(app).inject(options);
  const officerCount = async (username: string) =>
    ((await app.get(DataSource).query(`SELECT count(*)::int AS n FROM officer WHERE username = $1`, [username])) as [{ n: number }])[0].n;

  it('refuses a signed-in page POST without a valid token with 403, and changes nothing', async () => {
    const admin = await signInOfficer(app, { roles: ['admin'] });
    const fields = 'username=new.officer&displayName=New+Officer&email=new%40example.test&postCode=US-LAX&roles=officer';
    for (const payload of [fields, `${fields}&_csrf=`, `${fields}&_csrf=${'x'.repeat(admin.csrfToken.length)}`]) {
      const refused = await inject({
        method: 'POST',
        url: '/officer/admin/officers/new',
        headers: { ...admin.headers, accept: 'text/html', 'content-type': FORM },
        payload,
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('You cannot do this');
    }
    expect(await officerCount('new.officer')).toBe(0);

    const accepted = await inject({
      method: 'POST',
      url: '/officer/admin/officers/new',
      headers: { ...admin.headers, accept: 'text/html', 'content-type': FORM },
      payload: `${fields}&_csrf=${admin.csrfToken}`,
    });
    expect(accepted.statusCode).toBe(200);
    expect(await officerCount('new.officer')).toBe(1);
  });

  it('protects anonymous forms with a signed double-submit cookie (no login CSRF)', async () => {
    const { officer, password } = await createTestOfficer(app);
    const credentials = `username=${officer.username}&password=${encodeURIComponent(password)}`;
    const bare = await inject({ method: 'POST', url: '/officer/sign-in', headers: { 'content-type': FORM }, payload: credentials });
    expect(bare.statusCode).toBe(403);
    expect(JSON.parse(bare.body).error.code).toBe('CSRF_TOKEN_INVALID');
    expect(bare.cookies.find((c) => c.name === 'officer_session')).toBeUndefined();

    const visitor = new Browser(app);
    expect((await visitor.get('/')).cookies.map((c) => c.name)).not.toContain('csrf');
    const form = await visitor.get('/officer/sign-in');
    const csrfCookie = form.cookies.find((c) => c.name === 'csrf')!;
    expect(csrfCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(visitor.lastCsrf).toBeTruthy();
    expect(visitor.lastCsrf).not.toBe(csrfCookie.value);

    // A token minted for another visitor's cookie does not fit this one.
    const other = new Browser(app);
    await other.get('/officer/sign-in');
    expect((await visitor.post('/officer/sign-in', { username: officer.username, password }, { csrf: other.lastCsrf! })).statusCode).toBe(
      403,
    );
    // Nor does a cookie an attacker planted without knowing the key.
    const planted = new Browser(app);
    planted.setCookie('csrf', 'A'.repeat(43));
    expect((await planted.post('/officer/sign-in', { username: officer.username, password }, { csrf: 'A'.repeat(43) })).statusCode).toBe(
      403,
    );

    expect((await visitor.post('/officer/sign-in', { username: officer.username, password })).statusCode).toBe(303);
  });

  it('asks JSON writes authenticated by the session cookie for X-CSRF-Token; Bearer and credential-less JSON need none', async () => {
    const signedIn = await signInOfficer(app);
    const first = await createAccessToken(app, signedIn.authenticated);
    const second = await createAccessToken(app, signedIn.authenticated);
    const [one, two] = (await app
      .get(DataSource)
      .query(`SELECT id FROM officer_access_token WHERE officer_id = $1 ORDER BY created_at, id`, [signedIn.officer.id])) as {
      id: string;
    }[];

    const me = await inject({ method: 'GET', url: '/api/v1/officer/me', headers: signedIn.headers });
    expect(JSON.parse(me.body)).toMatchObject({ authenticatedBy: 'session', csrfToken: signedIn.csrfToken });

    const withoutHeader = await inject({ method: 'DELETE', url: `/api/v1/officer/tokens/${one!.id}`, headers: signedIn.headers });
    expect(withoutHeader.statusCode).toBe(403);
    expect(JSON.parse(withoutHeader.body).error.code).toBe('CSRF_TOKEN_INVALID');
    const stillWorks = await inject({ method: 'GET', url: '/api/v1/officer/me', headers: { authorization: `Bearer ${first}` } });
    expect(stillWorks.statusCode).toBe(200);

    const withHeader = await inject({
      method: 'DELETE',
      url: `/api/v1/officer/tokens/${one!.id}`,
      headers: { ...signedIn.headers, 'x-csrf-token': signedIn.csrfToken },
    });
    expect(withHeader.statusCode).toBe(204);

    const bearer = await inject({
      method: 'DELETE',
      url: `/api/v1/officer/tokens/${two!.id}`,
      headers: { authorization: `Bearer ${second}` },
    });
    expect(bearer.statusCode).toBe(204);

    const anonymousJson = await inject({
      method: 'POST',
      url: '/api/v1/nothing',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(anonymousJson.statusCode).toBe(404);
  });

  it('keeps Bull Board to signed-in administrators, and its writes to this origin', async () => {
    const anonymousPage = await inject({ method: 'GET', url: '/admin/queues', headers: { accept: 'text/html' } });
    expect(anonymousPage.statusCode).toBe(303);
    expect(anonymousPage.headers.location).toBe('/officer/sign-in?next=%2Fadmin%2Fqueues');
    expect((await inject({ method: 'GET', url: '/admin/queues/api/queues' })).statusCode).toBe(401);

    const officer = await signInOfficer(app, { roles: ['officer', 'supervisor'] });
    expect((await inject({ method: 'GET', url: '/admin/queues/api/queues', headers: officer.headers })).statusCode).toBe(403);

    const admin = await signInOfficer(app, { roles: ['admin'] });
    expect((await inject({ method: 'GET', url: '/admin/queues', headers: { ...admin.headers, accept: 'text/html' } })).statusCode).toBe(
      200,
    );
    const token = await createAccessToken(app, admin.authenticated);
    const withBearer = await inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { authorization: `Bearer ${token}` } });
    expect(withBearer.statusCode).toBe(401);

    const crossSite = await inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/notifications/pause',
      headers: { ...admin.headers, 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.statusCode).toBe(403);
    const noOrigin = await inject({ method: 'PUT', url: '/admin/queues/api/queues/notifications/pause', headers: admin.headers });
    expect(noOrigin.statusCode).toBe(403);
    const sameOrigin = await inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/notifications/pause',
      headers: { ...admin.headers, 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.statusCode).toBe(200);
  });
});
