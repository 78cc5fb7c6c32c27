import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import type { DataSource } from 'typeorm';
import { CaseSpine } from '@app/cases';
import { startTestStack, type TestStack } from '../harness/app.js';
import { type SmtpTestServer, startSmtpTestServer } from '../harness/smtp-test-server.js';
import { moveCase, openCase } from '../notifications/support.js';
import { expectNoInlineScript, form, injector } from './support.js';

describe('my cases: one-time email code, then every case of that address', () => {
  let stack: TestStack;
  let smtp: SmtpTestServer;
  let app: NestFastifyApplication;
  let inject: ReturnType<typeof injector>;
  let dataSource: DataSource;
  const mine: { id: string; reference: string }[] = [];
  let theirs: { id: string; reference: string };

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    stack = await startTestStack({ env: { SMTP_URL: smtp.url } });
    app = stack.api;
    inject = injector(app);
    dataSource = stack.dataSource;
    const spine = app.get(CaseSpine);
    for (const [service, email] of [
      ['passport', 'mine@example.test'],
      ['evisa', 'mine@example.test'],
      ['abtc', 'Mine@Example.TEST'],
      ['legalisation', 'mine@example.test'],
    ] as const) {
      mine.push(await dataSource.transaction((m) => openCase(m, spine, service, { email })));
    }
    await moveCase(dataSource, spine, mine[0]!.id, ['IN_REVIEW']);
    theirs = await dataSource.transaction((m) => openCase(m, spine, 'passport', { email: 'someone-else@example.test' }));
  });

  afterAll(async () => {
    await stack?.close();
    await smtp?.stop();
  });

  const latestCode = () => /\b(\d{6})\b/.exec(smtp.to('mine@example.test').at(-1)!.text)![1]!;
  const requestCode = async () => {
    const response = await inject({ method: 'POST', url: '/api/v1/my-cases/code', payload: { email: ' MINE@example.test ' } });
    expect(response.statusCode).toBe(200);
    return JSON.parse(response.body) as { proofId: string; maskedEmail: string };
  };
  const verify = (proofId: string, code: string) => inject({ method: 'POST', url: '/api/v1/my-cases/verify', payload: { proofId, code } });
  const sessionCookie = (response: LightMyRequestResponse) => {
    const cookie = response.cookies.find((c) => c.name === 'mycases')!;
    return `mycases=${cookie.value}`;
  };

  it('emails a 6-digit code that is stored only as a hash', async () => {
    const before = smtp.to('mine@example.test').length;
    const { proofId, maskedEmail } = await requestCode();
    expect(maskedEmail).toBe('M•••@example.test');
    expect(smtp.to('mine@example.test')).toHaveLength(before + 1);
    const code = latestCode();
    const [stored] = await dataSource.query(`SELECT code_hash, expires_at - created_at AS ttl FROM email_proof WHERE id = $1`, [proofId]);
    expect(stored.code_hash).not.toContain(code);
    expect(stored.ttl).toMatchObject({ minutes: 10 });
  });

  it('a code is single-use', async () => {
    const { proofId } = await requestCode();
    const code = latestCode();
    const first = await verify(proofId, code);
    expect(first.statusCode).toBe(200);
    const second = await verify(proofId, code);
    expect(second.statusCode).toBe(400);
    expect(JSON.parse(second.body).error.code).toBe('EMAIL_CODE_INVALID');
  });

  it('five wrong tries are answered, the sixth locks the code, even the right one afterwards', async () => {
    const { proofId } = await requestCode();
    const code = latestCode();
    const wrong = code === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 0; left--) {
      const response = await verify(proofId, wrong);
      expect(response.statusCode).toBe(400);
      const { error } = JSON.parse(response.body);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details[0].messages[0]).toContain(left > 0 ? `You can try ${left} more times` : 'Too many wrong codes');
    }
    const sixth = await verify(proofId, wrong);
    expect(sixth.statusCode).toBe(429);
    expect(JSON.parse(sixth.body).error.code).toBe('EMAIL_CODE_LOCKED');
    const right = await verify(proofId, code);
    expect(right.statusCode).toBe(429);
    expect(right.cookies.find((c) => c.name === 'mycases')).toBeUndefined();
  });

  it('lists exactly the cases of the proven address, on one timeline, with a short separate session cookie', async () => {
    const { proofId } = await requestCode();
    const verified = await verify(proofId, latestCode());
    const cookie = verified.cookies.find((c) => c.name === 'mycases')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 1800 });

    const list = await inject({ method: 'GET', url: '/api/v1/my-cases', headers: { cookie: sessionCookie(verified) } });
    expect(list.statusCode).toBe(200);
    const overview = JSON.parse(list.body) as { cases: { reference: string; service: string }[]; timeline: { reference: string }[] };
    expect(overview.cases.map((c) => c.reference).sort()).toEqual(mine.map((c) => c.reference).sort());
    expect(new Set(overview.cases.map((c) => c.service))).toEqual(new Set(['passport', 'evisa', 'abtc', 'legalisation']));
    expect(overview.timeline).toHaveLength(5);
    expect(list.body).not.toContain(theirs.reference);

    const own = await inject({ method: 'GET', url: `/api/v1/my-cases/cases/${mine[0]!.id}`, headers: { cookie: sessionCookie(verified) } });
    expect(own.statusCode).toBe(200);
    expect(JSON.parse(own.body).statusLabel).toBe('Being checked');
    const other = await inject({ method: 'GET', url: `/api/v1/my-cases/cases/${theirs.id}`, headers: { cookie: sessionCookie(verified) } });
    expect(other.statusCode).toBe(404);

    const page = await inject({ method: 'GET', url: '/my-cases', headers: { cookie: sessionCookie(verified), accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    for (const c of mine) expect(page.body).toContain(`href="/my-cases/cases/${c.id}"`);
    expectNoInlineScript(page.body);

    const signOut = await inject({
      method: 'POST',
      url: '/my-cases/sign-out',
      ...form({}),
      headers: { ...form({}).headers, cookie: sessionCookie(verified) },
    });
    expect(signOut.statusCode).toBe(303);
    const after = await inject({ method: 'GET', url: '/api/v1/my-cases', headers: { cookie: sessionCookie(verified) } });
    expect(after.statusCode).toBe(401);
  });

  it('works as pages without JavaScript, with an empty state', async () => {
    const start = await inject({ method: 'GET', url: '/my-cases?lang=zh-Hant', headers: { accept: 'text/html' } });
    expect(start.statusCode).toBe(200);
    expect(start.body).toContain('您的所有案件');
    const bad = await inject({ method: 'POST', url: '/my-cases/code', ...form({ email: 'not an address' }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#email"');

    const sent = await inject({ method: 'POST', url: '/my-cases/code', ...form({ email: 'nobody@example.test' }) });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('n•••@example.test');
    const proofId = /name="proofId" value="([^"]+)"/.exec(sent.body)![1]!;
    const code = /\b(\d{6})\b/.exec(smtp.to('nobody@example.test').at(-1)!.text)![1]!;
    const verified = await inject({
      method: 'POST',
      url: '/my-cases/verify',
      ...form({ proofId, code, maskedEmail: 'n•••@example.test' }),
    });
    expect(verified.statusCode).toBe(303);
    expect(verified.headers.location).toBe('/my-cases');
    const empty = await inject({ method: 'GET', url: '/my-cases', headers: { cookie: sessionCookie(verified), accept: 'text/html' } });
    expect(empty.body).toContain('There are no cases linked to this email address');
  });
});
