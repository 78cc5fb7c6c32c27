import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { startTestStack, type TestStack } from '../harness/app.js';
import { ManualClock } from '../harness/clock.js';
import { Browser, createTestOfficer, currentCode, fastifyOf, signInOfficer, type SignedInOfficer } from '../harness/identity.js';

describe('officer administration', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  const clock = new ManualClock();

  beforeAll(async () => {
    stack = await startTestStack({ clock });
    app = stack.api;
  });

  afterAll(async () => {
    await stack?.close();
  });

  function browserFor(officer: SignedInOfficer): Browser {
    const web = new Browser(app);
    web.setCookie('officer_session', officer.cookie.split('=')[1]!);
    return web;
  }

  const trail = async (officerId: string) =>
    (await app
      .get(DataSource)
      .query(`SELECT action, actor_name, details FROM audit_log WHERE target_id = $1 ORDER BY seq`, [officerId])) as {
      action: string;
      actor_name: string | null;
      details: Record<string, unknown>;
    }[];

  it('an HQ administrator adds an officer, who signs in the first time with the one-time password, enrols TOTP and chooses a password', async () => {
    const admin = await signInOfficer(app, { roles: ['admin'], postCode: 'HQ-TPE' });
    const web = browserFor(admin);
    const form = await web.get('/officer/admin/officers/new');
    expect(form.body).toContain('value="JP-TYO"');
    expect(form.body).toContain('value="supervisor"');
    const invalid = await web.post('/officer/admin/officers/new', { username: 'X', displayName: '', email: 'nope', postCode: 'ZZ-ZZZ' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('There is a problem');
    expect(invalid.body).toContain('Select at least one role');

    await web.get('/officer/admin/officers/new');
    const created = await web.post('/officer/admin/officers/new', {
      username: 'chen.mei',
      displayName: 'CHEN Mei',
      email: 'chen.mei@example.gov',
      postCode: 'JP-TYO',
      roles: ['officer', 'supervisor'],
    });
    expect(created.statusCode).toBe(200);
    const oneTime = /<code class="secret">([a-z0-9-]+)<\/code>/.exec(created.body)![1]!;
    await web.get('/officer/admin/officers/new');
    const duplicate = await web.post('/officer/admin/officers/new', {
      username: 'chen.mei',
      displayName: 'Again',
      postCode: 'JP-TYO',
      roles: 'officer',
    });
    expect(duplicate.body).toContain('This username is already in use');

    const newcomer = new Browser(app, { remoteAddress: '10.9.9.9' });
    await newcomer.get('/officer/sign-in');
    expect((await newcomer.post('/officer/sign-in', { username: 'chen.mei', password: oneTime })).headers.location).toBe(
      '/officer/mfa/enrol',
    );
    const enrol = await newcomer.get('/officer/mfa/enrol');
    const secret = /<p><code>([A-Z2-7 ]+)<\/code><\/p>/.exec(enrol.body)![1]!.replace(/ /g, '');
    const codes = await newcomer.post('/officer/mfa/enrol', { code: currentCode(app, secret) });
    expect(codes.body).toContain('href="/officer/sign-in/new-password"');
    expect((await newcomer.get('/officer')).statusCode).toBe(303);
    await newcomer.get('/officer/sign-in/new-password');
    const chosen = await newcomer.post('/officer/sign-in/new-password', {
      password: 'paper kite over tamsui',
      confirm: 'paper kite over tamsui',
    });
    expect(chosen.headers.location).toBe('/officer');
    const home = await newcomer.get('/officer');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Audit log');

    const [row] = (await app.get(DataSource).query(`SELECT id FROM officer WHERE username = 'chen.mei'`)) as { id: string }[];
    expect((await trail(row!.id)).map((e) => e.action)).toEqual([
      'officer.created',
      'mfa.enrolled',
      'officer.sign_in',
      'officer.password_changed',
    ]);
  });

  it('a post administrator manages only their post, cannot grant supervisor, and locks and unlocks accounts', async () => {
    const admin = await signInOfficer(app, { roles: ['admin'], postCode: 'US-LAX' });
    const colleague = await signInOfficer(app, { postCode: 'US-LAX' });
    const abroad = await createTestOfficer(app, { postCode: 'JP-TYO' });
    const web = browserFor(admin);

    const list = await web.get('/officer/admin/officers');
    expect(list.body).toContain(colleague.officer.username);
    expect(list.body).not.toContain(abroad.officer.username);
    expect((await web.get(`/officer/admin/officers/${abroad.officer.id}`)).statusCode).toBe(404);
    expect((await web.get('/officer/admin/officers/not-a-uuid')).statusCode).toBe(404);

    const form = await web.get('/officer/admin/officers/new');
    expect(form.body).not.toContain('value="JP-TYO"');
    expect(form.body).not.toContain('value="supervisor"');
    const elsewhere = await web.post('/officer/admin/officers/new', {
      username: 'far.away',
      displayName: 'Far',
      postCode: 'JP-TYO',
      roles: 'officer',
    });
    expect(elsewhere.body).toContain('You can only add officers at your own post');
    await web.get('/officer/admin/officers/new');
    const promoted = await web.post('/officer/admin/officers/new', {
      username: 'boss',
      displayName: 'Boss',
      postCode: 'US-LAX',
      roles: 'supervisor',
    });
    expect(promoted.body).toContain('Only an administrator at headquarters can give the supervisor role');

    await web.get(`/officer/admin/officers/${colleague.officer.id}`);
    expect((await web.post(`/officer/admin/officers/${colleague.officer.id}/lock`, {})).statusCode).toBe(303);
    expect((await fastifyOf(app).inject({ method: 'GET', url: '/api/v1/officer/me', headers: colleague.headers })).statusCode).toBe(401);
    const locked = await web.get(`/officer/admin/officers/${colleague.officer.id}?notice=locked`);
    expect(locked.body).toContain('Locked by an administrator');
    const signIn = new Browser(app, { remoteAddress: '10.9.9.10' });
    await signIn.get('/officer/sign-in');
    expect((await signIn.post('/officer/sign-in', { username: colleague.officer.username, password: colleague.password })).statusCode).toBe(
      400,
    );

    expect((await web.post(`/officer/admin/officers/${colleague.officer.id}/unlock`, {})).statusCode).toBe(303);
    await signIn.get('/officer/sign-in');
    expect((await signIn.post('/officer/sign-in', { username: colleague.officer.username, password: colleague.password })).statusCode).toBe(
      303,
    );

    await web.get(`/officer/admin/officers/${admin.officer.id}`);
    expect((await web.post(`/officer/admin/officers/${admin.officer.id}/lock`, {})).statusCode).toBe(403);
    expect((await trail(colleague.officer.id)).filter((e) => e.action.startsWith('officer.') && e.action.endsWith('locked'))).toEqual([
      { action: 'officer.locked', actor_name: admin.officer.username, details: { reason: 'administrator' } },
      { action: 'officer.unlocked', actor_name: admin.officer.username, details: {} },
    ]);
  });

  it('renders the officer pages in Traditional Chinese, without inline script or style', async () => {
    const admin = await signInOfficer(app, { roles: ['admin', 'supervisor'], postCode: 'HQ-TPE' });
    const target = await createTestOfficer(app);
    const web = browserFor(admin);
    const pages = [
      '/officer',
      '/officer/account',
      '/officer/account/password',
      '/officer/account/tokens',
      '/officer/reauth',
      '/officer/admin/officers',
      '/officer/admin/officers/new',
      `/officer/admin/officers/${target.officer.id}`,
      `/officer/admin/officers/${target.officer.id}/reset-mfa`,
      '/officer/audit',
    ];
    for (const url of pages) {
      const response = await web.get(`${url}?lang=zh-Hant`);
      expect([url, response.statusCode]).toEqual([url, 200]);
      expect(response.body).toContain('<html lang="zh-Hant">');
      expect(response.body).toContain('登出');
      expect(response.body).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    }
    const signInPage = await new Browser(app).get('/officer/sign-in?lang=zh-Hant');
    expect(signInPage.body).toContain('領事承辦人員登入');
  });
});
