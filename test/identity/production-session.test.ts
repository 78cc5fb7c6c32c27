import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startTestStack, type TestStack } from '../harness/app.js';
import { Browser, createAccessToken, createTestOfficer, currentCode, fastifyOf } from '../harness/identity.js';

describe('officer sessions in production mode', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  const logLines: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack({
      env: { NODE_ENV: 'production', LOG_LEVEL: 'trace' },
      logStream: { write: (line: string) => void logLines.push(line) },
    });
    app = stack.api;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('sets the session cookie Secure, HttpOnly, SameSite=Lax, host-only with the __Host- prefix, and never logs a secret', async () => {
    const { officer, password, totpSecret, authenticated } = await createTestOfficer(app);
    const web = new Browser(app);
    const form = await web.get('/officer/sign-in');
    const csrfCookie = form.cookies.find((c) => c.name === '__Host-csrf');
    expect(csrfCookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/' });

    const wrongPassword = 'definitely not the password 123';
    expect((await web.post('/officer/sign-in', { username: officer.username, password: wrongPassword })).statusCode).toBe(400);
    const afterPassword = await web.post('/officer/sign-in', { username: officer.username, password });
    expect(afterPassword.statusCode).toBe(303);
    const pending = web.cookie('__Host-officer_session')!;
    await web.get('/officer/sign-in/mfa');
    const afterCode = await web.post('/officer/sign-in/mfa', { code: currentCode(app, totpSecret!) });
    expect(afterCode.statusCode).toBe(303);

    const header = ([] as string[]).concat(afterCode.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-officer_session='))!;
    const attributes = header.split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax', 'path=/']));
    expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);
    expect(attributes.some((a) => a.startsWith('max-age=') || a.startsWith('expires='))).toBe(false);
    const active = web.cookie('__Host-officer_session')!;
    expect(active).not.toBe(pending);

    const home = await web.get('/officer');
    expect(home.statusCode).toBe(200);
    expect(home.headers['cache-control']).toBe('no-store');
    expect(home.headers['strict-transport-security']).toContain('max-age=');
    const token = await createAccessToken(app, authenticated);
    expect(
      (await fastifyOf(app).inject({ method: 'GET', url: '/api/v1/officer/me', headers: { authorization: `Bearer ${token}` } })).statusCode,
    ).toBe(200);

    const logs = logLines.join('');
    expect(logs).toContain('request completed');
    expect(logs).toContain('"path":"/officer/sign-in/mfa"');
    for (const secret of [password, wrongPassword, totpSecret!, pending, active, token, web.lastCsrf!, csrfCookie!.value]) {
      expect([secret.slice(0, 6), logs.includes(secret)]).toEqual([secret.slice(0, 6), false]);
    }
  });
});
