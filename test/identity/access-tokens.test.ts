import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { startTestStack, type TestStack } from '../harness/app.js';
import { ManualClock } from '../harness/clock.js';
import { Browser, createAccessToken, fastifyOf, signInOfficer } from '../harness/identity.js';

describe('personal access tokens', () => {
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

  const me = (token: string) =>
    fastifyOf(app).inject({ method: 'GET', url: '/api/v1/officer/me', headers: { authorization: `Bearer ${token}` } });

  it('works on the API once created from the account page, is stored only hashed, and gives 401 once revoked', async () => {
    const signedIn = await signInOfficer(app, { roles: ['officer', 'supervisor'] });
    const web = new Browser(app);
    web.setCookie('officer_session', signedIn.cookie.split('=')[1]!);
    expect((await web.get('/officer/account/tokens')).body).toContain('You have no access tokens.');
    expect((await web.post('/officer/account/tokens', { name: '', days: '500' })).statusCode).toBe(400);
    const created = await web.post('/officer/account/tokens', { name: 'queue report', days: '30' });
    expect(created.statusCode).toBe(200);
    const token = /<code class="secret">(cpat_[A-Za-z0-9_-]+)<\/code>/.exec(created.body)![1]!;

    const ok = await me(token);
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ id: signedIn.officer.id, roles: ['officer', 'supervisor'], authenticatedBy: 'token' });
    expect(JSON.parse(ok.body).csrfToken).toBeUndefined();
    const [stored] = (await app
      .get(DataSource)
      .query(`SELECT id, token_hash, last_used_at FROM officer_access_token WHERE officer_id = $1`, [signedIn.officer.id])) as {
      id: string;
      token_hash: string;
      last_used_at: Date | null;
    }[];
    expect(stored!.token_hash).not.toContain(token.slice(5));
    expect(stored!.last_used_at).not.toBeNull();

    const list = await web.get('/officer/account/tokens');
    expect(list.body).toContain('queue report');
    expect(list.body).not.toContain(token);
    expect((await web.post(`/officer/account/tokens/${stored!.id}/revoke`, {})).headers.location).toBe(
      '/officer/account/tokens?notice=revoked',
    );

    const revoked = await me(token);
    expect(revoked.statusCode).toBe(401);
    expect(revoked.headers['www-authenticate']).toBe('Bearer');
    const body = JSON.parse(revoked.body);
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatchObject({ code: 'UNAUTHENTICATED', correlationId: expect.any(String) });
  });

  it('expires, stops with its officer locked, and cannot touch another officer’s tokens', async () => {
    const first = await signInOfficer(app);
    const token = await createAccessToken(app, first.authenticated, 1);
    expect((await me(token)).statusCode).toBe(200);
    clock.advance(24 * 3600_000 + 1000);
    expect((await me(token)).statusCode).toBe(401);

    const second = await signInOfficer(app);
    const other = await createAccessToken(app, second.authenticated, 30);
    const [{ id }] = (await app
      .get(DataSource)
      .query(`SELECT id FROM officer_access_token WHERE officer_id = $1`, [second.officer.id])) as [{ id: string }];
    const foreign = await fastifyOf(app).inject({
      method: 'DELETE',
      url: `/api/v1/officer/tokens/${id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(foreign.statusCode).toBe(401);
    const live = await createAccessToken(app, first.authenticated, 30);
    const notMine = await fastifyOf(app).inject({
      method: 'DELETE',
      url: `/api/v1/officer/tokens/${id}`,
      headers: { authorization: `Bearer ${live}` },
    });
    expect(notMine.statusCode).toBe(404);
    expect((await me(other)).statusCode).toBe(200);

    await app.get(DataSource).query(`UPDATE officer SET active = false WHERE id = $1`, [second.officer.id]);
    expect((await me(other)).statusCode).toBe(401);
    expect((await me('cpat_not-a-real-token')).statusCode).toBe(401);
  });
});
