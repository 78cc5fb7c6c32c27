import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApi } from '../../apps/api/src/bootstrap.js';
import { createTestDatabase, testConfig } from '../harness/context.js';
import { ManualClock } from '../harness/clock.js';
import { Browser, createTestOfficer, currentCode, fastifyOf, sessionFor, signInOfficer } from '../harness/identity.js';

const SESSION = 'officer_session';

describe('officer sign-in', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: NestFastifyApplication;
  const clock = new ManualClock();
  let address = 0;
  /** Each test signs in from its own address, so the per-IP limit of one test does not touch another. */
  const browser = () => new Browser(app, { remoteAddress: `10.0.0.${++address}` });

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createApi(testConfig(db.url), { clock });
    await app.init();
    await fastifyOf(app).ready();
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
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
});
