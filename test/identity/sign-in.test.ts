import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { startTestStack, type TestStack } from '../harness/app.js';
import { ManualClock } from '../harness/clock.js';
import { Browser, createTestOfficer, currentCode, fastifyOf, sessionFor, signInOfficer } from '../harness/identity.js';

const SESSION = 'officer_session';

describe('officer sign-in', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  const clock = new ManualClock();
  let address = 0;
  /** Each test signs in from its own address, so the per-IP limit of one test does not touch another. */
  const browser = () => new Browser(app, { remoteAddress: `10.0.0.${++address}` });

  beforeAll(async () => {
    stack = await startTestStack({ clock });
    app = stack.api;
  });

  afterAll(async () => {
    await stack?.close();
  });

  const auditActions = async (officerId: string) =>
    (await app.get(DataSource).query(`SELECT action, outcome, details FROM audit_log WHERE target_id = $1 ORDER BY seq`, [officerId])) as {
      action: string;
      outcome: string;
      details: Record<string, unknown>;
    }[];

  it('signs in with password then TOTP, issuing a new session id at each step; the old ids stop working', async () => {
    const { officer, password, totpSecret } = await createTestOfficer(app);
    const web = browser();
    expect((await web.get('/officer/sign-in')).statusCode).toBe(200);
    const afterPassword = await web.post('/officer/sign-in', { username: officer.username, password });
    expect(afterPassword.statusCode).toBe(303);
    expect(afterPassword.headers.location).toBe('/officer/sign-in/mfa');
    const pending = web.cookie(SESSION)!;
    expect(pending).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Half signed in is not signed in.
    const early = await fastifyOf(app).inject({
      method: 'GET',
      url: '/officer',
      headers: { accept: 'text/html', cookie: `${SESSION}=${pending}` },
    });
    expect(early.statusCode).toBe(303);
    expect(early.headers.location).toBe('/officer/sign-in?next=%2Fofficer');

    expect((await web.get('/officer/sign-in/mfa')).statusCode).toBe(200);
    const afterCode = await web.post('/officer/sign-in/mfa', { code: currentCode(app, totpSecret!) });
    expect(afterCode.statusCode).toBe(303);
    expect(afterCode.headers.location).toBe('/officer');
    const active = web.cookie(SESSION)!;
    expect(active).not.toBe(pending);

    const home = await web.get('/officer');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Sign out');
    const stale = await fastifyOf(app).inject({
      method: 'GET',
      url: '/officer',
      headers: { accept: 'text/html', cookie: `${SESSION}=${pending}` },
    });
    expect(stale.statusCode).toBe(303);

    // Signing in again from a signed-in browser replaces that session too.
    clock.advance(30_000);
    expect((await web.get('/officer/sign-in')).headers.location).toBe('/officer');
    await web.post('/officer/sign-in', { username: officer.username, password });
    await web.get('/officer/sign-in/mfa');
    expect((await web.post('/officer/sign-in/mfa', { code: currentCode(app, totpSecret!) })).statusCode).toBe(303);
    expect(web.cookie(SESSION)).not.toBe(active);
    const old = await fastifyOf(app).inject({
      method: 'GET',
      url: '/officer',
      headers: { accept: 'text/html', cookie: `${SESSION}=${active}` },
    });
    expect(old.statusCode).toBe(303);
    expect((await auditActions(officer.id)).filter((e) => e.action === 'officer.sign_in' && e.outcome === 'success')).toHaveLength(2);
  });

  /** The error summary of a sign-in page, which must read the same whatever went wrong. */
  const summaryOf = (html: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0];

  it('refuses a TOTP code that was already used, even within its time window', async () => {
    const { officer, password, totpSecret } = await createTestOfficer(app);
    const web = browser();
    const code = currentCode(app, totpSecret!);
    await web.get('/officer/sign-in');
    await web.post('/officer/sign-in', { username: officer.username, password });
    await web.get('/officer/sign-in/mfa');
    expect((await web.post('/officer/sign-in/mfa', { code })).statusCode).toBe(303);
    await web.get('/officer');
    expect((await web.post('/officer/sign-out', {})).statusCode).toBe(303);

    await web.get('/officer/sign-in');
    await web.post('/officer/sign-in', { username: officer.username, password });
    await web.get('/officer/sign-in/mfa');
    const replay = await web.post('/officer/sign-in/mfa', { code });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('already been used');
    expect((await web.get('/officer')).statusCode).toBe(303);

    clock.advance(30_000);
    expect((await web.post('/officer/sign-in/mfa', { code: currentCode(app, totpSecret!) })).statusCode).toBe(303);
    expect((await web.get('/officer')).statusCode).toBe(200);
  });

  it('locks the account after 10 failures: the 11th attempt fails even with the right password, like a wrong username', async () => {
    const { officer, password, totpSecret } = await createTestOfficer(app);
    const web = browser();
    await web.get('/officer/sign-in');
    const unknown = await web.post('/officer/sign-in', { username: 'nobody.here', password });
    expect(unknown.statusCode).toBe(400);
    for (let attempt = 1; attempt <= 10; attempt++) {
      const wrong = await web.post('/officer/sign-in', { username: officer.username, password: `wrong password ${attempt}` });
      expect(wrong.statusCode).toBe(400);
      expect(summaryOf(wrong.body)).toBe(summaryOf(unknown.body));
    }
    const eleventh = await web.post('/officer/sign-in', { username: officer.username, password });
    expect(eleventh.statusCode).toBe(400);
    expect(summaryOf(eleventh.body)).toBe(summaryOf(unknown.body));
    expect(web.cookie(SESSION)).toBeUndefined();

    const trail = await auditActions(officer.id);
    expect(trail.filter((e) => e.action === 'officer.sign_in' && e.outcome === 'failure')).toHaveLength(11);
    expect(trail.filter((e) => e.action === 'officer.locked')).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ reason: 'failed_attempts', attempts: 10 }) }),
    ]);
    expect(trail.at(-1)).toMatchObject({ action: 'officer.sign_in', outcome: 'failure', details: { reason: 'locked', step: 'password' } });

    clock.minutes(14);
    expect((await web.post('/officer/sign-in', { username: officer.username, password })).statusCode).toBe(400);
    clock.minutes(2);
    const afterLock = await web.post('/officer/sign-in', { username: officer.username, password });
    expect(afterLock.statusCode).toBe(303);
    await web.get('/officer/sign-in/mfa');
    expect((await web.post('/officer/sign-in/mfa', { code: currentCode(app, totpSecret!) })).statusCode).toBe(303);
  });

  it('counts wrong TOTP codes towards the lock-out too', async () => {
    const { officer, password, totpSecret } = await createTestOfficer(app);
    const web = browser();
    await web.get('/officer/sign-in');
    await web.post('/officer/sign-in', { username: officer.username, password });
    await web.get('/officer/sign-in/mfa');
    const wrongCode = String((Number(currentCode(app, totpSecret!)) + 500_000) % 1_000_000).padStart(6, '0');
    for (let attempt = 1; attempt <= 10; attempt++)
      expect((await web.post('/officer/sign-in/mfa', { code: wrongCode })).statusCode).toBe(400);
    expect((await web.post('/officer/sign-in/mfa', { code: currentCode(app, totpSecret!) })).statusCode).toBe(400);
    const [row] = (await app.get(DataSource).query(`SELECT locked_until FROM officer WHERE id = $1`, [officer.id])) as {
      locked_until: Date;
    }[];
    expect(row!.locked_until.getTime()).toBeGreaterThan(clock.now().getTime());
  });

  it('enrols TOTP with a QR code at the first sign-in, issues 10 recovery codes, and a recovery code signs in once', async () => {
    const { officer, password } = await createTestOfficer(app, { enrolled: false });
    const web = browser();
    await web.get('/officer/sign-in');
    const afterPassword = await web.post('/officer/sign-in', { username: officer.username, password });
    expect(afterPassword.headers.location).toBe('/officer/mfa/enrol');
    const page = await web.get('/officer/mfa/enrol');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"/);
    const secret = /<p><code>([A-Z2-7 ]+)<\/code><\/p>/.exec(page.body)![1]!.replace(/ /g, '');
    // The QR code is the otpauth URI of the same key (read back with zbarimg, as a phone would).
    const png = path.join(process.env.TEST_WORK_DIR!, `qr-${officer.id}.png`);
    fs.writeFileSync(png, Buffer.from(/data:image\/png;base64,([A-Za-z0-9+/=]+)/.exec(page.body)![1]!, 'base64'));
    const { stdout } = await promisify(execFile)('zbarimg', ['--raw', '-q', png]);
    expect(stdout.trim()).toBe(
      `otpauth://totp/Consular%20Services%20Portal:${officer.username}?issuer=Consular%20Services%20Portal&secret=${secret}&algorithm=SHA1&digits=6&period=30`,
    );
    expect((await web.get('/officer/mfa/enrol')).body).toContain(/<p><code>([A-Z2-7 ]+)<\/code><\/p>/.exec(page.body)![0]);
    expect((await web.post('/officer/mfa/enrol', { code: '000000' })).statusCode).toBe(400);

    const enrolled = await web.post('/officer/mfa/enrol', { code: currentCode(app, secret) });
    expect(enrolled.statusCode).toBe(200);
    const recoveryCodes = [...enrolled.body.matchAll(/<li><code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<\/code><\/li>/g)].map(
      (m) => m[1]!,
    );
    expect(new Set(recoveryCodes).size).toBe(10);
    expect((await web.get('/officer')).statusCode).toBe(200);
    const stored = (await app.get(DataSource).query(`SELECT code_hash FROM officer_recovery_code WHERE officer_id = $1`, [officer.id])) as {
      code_hash: string;
    }[];
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) for (const code of recoveryCodes) expect(code_hash).not.toContain(code.replace(/-/g, ''));

    expect((await web.post('/officer/sign-out', {})).statusCode).toBe(303);
    for (const attempt of [recoveryCodes[3]!.toLowerCase(), recoveryCodes[3]!]) {
      await web.get('/officer/sign-in');
      await web.post('/officer/sign-in', { username: officer.username, password });
      await web.get('/officer/sign-in/recovery');
      const used = await web.post('/officer/sign-in/recovery', { code: attempt });
      if (attempt === recoveryCodes[3]) {
        expect(used.statusCode).toBe(400);
      } else {
        expect(used.statusCode).toBe(303);
        await web.get('/officer');
        expect((await web.post('/officer/sign-out', {})).statusCode).toBe(303);
      }
    }
    expect((await auditActions(officer.id)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['mfa.enrolled', 'mfa.recovery_code_used', 'officer.signed_out']),
    );
  });

  it('makes an officer whose password was issued by someone else choose a new one before the session is active', async () => {
    const { officer, password, totpSecret } = await createTestOfficer(app, { mustChangePassword: true });
    const web = browser();
    await web.get('/officer/sign-in');
    await web.post('/officer/sign-in', { username: officer.username, password });
    await web.get('/officer/sign-in/mfa');
    const afterCode = await web.post('/officer/sign-in/mfa', { code: currentCode(app, totpSecret!) });
    expect(afterCode.headers.location).toBe('/officer/sign-in/new-password');
    expect((await web.get('/officer')).statusCode).toBe(303);
    await web.get('/officer/sign-in/new-password');
    const common = await web.post('/officer/sign-in/new-password', { password: 'password1234', confirm: 'password1234' });
    expect(common.statusCode).toBe(400);
    expect(common.body).toContain('too common');
    const short = await web.post('/officer/sign-in/new-password', { password: 'short one', confirm: 'short one' });
    expect(short.body).toContain('at least 12 characters');
    const chosen = 'lantern orchard velvet 42';
    const done = await web.post('/officer/sign-in/new-password', { password: chosen, confirm: chosen });
    expect(done.statusCode).toBe(303);
    expect((await web.get('/officer')).statusCode).toBe(200);
    const [row] = (await app
      .get(DataSource)
      .query(`SELECT must_change_password, password_hash FROM officer WHERE id = $1`, [officer.id])) as {
      must_change_password: boolean;
      password_hash: string;
    }[];
    expect(row).toMatchObject({ must_change_password: false });
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('ends a session after 30 idle minutes and after 12 hours whatever the activity', async () => {
    const { headers } = await signInOfficer(app);
    const visit = () => fastifyOf(app).inject({ method: 'GET', url: '/officer', headers: { accept: 'text/html', ...headers } });
    clock.minutes(29);
    expect((await visit()).statusCode).toBe(200);
    clock.minutes(29);
    expect((await visit()).statusCode).toBe(200);
    clock.minutes(31);
    const idle = await visit();
    expect(idle.statusCode).toBe(303);
    expect(idle.cookies.find((c) => c.name === SESSION)?.value).toBe('');

    const busy = await signInOfficer(app);
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      clock.minutes(20);
      expect([minutes, (await fastifyOf(app).inject({ method: 'GET', url: '/officer', headers: busy.headers })).statusCode]).toEqual([
        minutes,
        200,
      ]);
    }
    clock.minutes(20);
    expect((await fastifyOf(app).inject({ method: 'GET', url: '/officer', headers: busy.headers })).statusCode).toBe(401);
  });

  it('signs out on the server: the cookie no longer works even if kept', async () => {
    const signedIn = await signInOfficer(app);
    const out = await fastifyOf(app).inject({
      method: 'POST',
      url: '/officer/sign-out',
      headers: { ...signedIn.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${signedIn.csrfToken}`,
    });
    expect(out.statusCode).toBe(303);
    expect(out.cookies.find((c) => c.name === SESSION)?.value).toBe('');
    const [{ count }] = (await app
      .get(DataSource)
      .query(`SELECT count(*)::int AS count FROM officer_session WHERE officer_id = $1`, [signedIn.officer.id])) as [{ count: number }];
    expect(count).toBe(0);
    expect((await fastifyOf(app).inject({ method: 'GET', url: '/api/v1/officer/me', headers: signedIn.headers })).statusCode).toBe(401);
  });

  it('asks for the password again before a sensitive action, and comes back to it', async () => {
    const admin = await signInOfficer(app, { roles: ['admin'] });
    const target = await createTestOfficer(app);
    const page = `/officer/admin/officers/${target.officer.id}/reset-mfa`;
    const web = browser();
    web.setCookie(SESSION, admin.cookie.split('=')[1]!);
    expect((await web.get(page)).statusCode).toBe(200);
    clock.minutes(6);
    const stale = await web.get(page);
    expect(stale.statusCode).toBe(303);
    expect(stale.headers.location).toBe(`/officer/reauth?next=${encodeURIComponent(page)}`);
    const refused = await fastifyOf(app).inject({
      method: 'POST',
      url: page,
      headers: { ...admin.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${admin.csrfToken}`,
    });
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body).error.code).toBe('REAUTH_REQUIRED');

    await web.get(stale.headers.location as string);
    expect((await web.post('/officer/reauth', { password: 'not my password at all', next: page })).statusCode).toBe(400);
    const confirmed = await web.post('/officer/reauth', { password: admin.password, next: page });
    expect(confirmed.headers.location).toBe(page);
    await web.get(page);
    expect((await web.post(page, {})).statusCode).toBe(303);
    const [row] = (await app.get(DataSource).query(`SELECT totp_secret FROM officer WHERE id = $1`, [target.officer.id])) as {
      totp_secret: string | null;
    }[];
    expect(row!.totp_secret).toBeNull();
    expect((await auditActions(target.officer.id)).map((e) => e.action)).toContain('mfa.reset');
  });

  it('lets an officer change their password, ending their other sessions', async () => {
    const signedIn = await signInOfficer(app);
    const other = await sessionFor(app, signedIn.officer.id);
    const web = browser();
    web.setCookie(SESSION, signedIn.cookie.split('=')[1]!);
    await web.get('/officer/account/password');
    const wrong = await web.post('/officer/account/password', {
      current: 'wrong wrong wrong',
      password: 'a new long passphrase',
      confirm: 'a new long passphrase',
    });
    expect(wrong.statusCode).toBe(400);
    const changed = await web.post('/officer/account/password', {
      current: signedIn.password,
      password: 'a new long passphrase',
      confirm: 'a new long passphrase',
    });
    expect(changed.headers.location).toBe('/officer/account?notice=password');
    expect((await web.get('/officer/account?notice=password')).body).toContain('Your password has been changed');
    expect((await fastifyOf(app).inject({ method: 'GET', url: '/api/v1/officer/me', headers: other.headers })).statusCode).toBe(401);
  });
});
