import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { AuditLog } from '@app/audit';
import { startTestStack, type TestStack } from '../harness/app.js';
import { Browser, signInOfficer } from '../harness/identity.js';

describe('audit log pages', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let web: Browser;

  beforeAll(async () => {
    stack = await startTestStack();
    app = stack.api;
    const audit = app.get(AuditLog);
    const manager = app.get(DataSource).manager;
    for (let i = 0; i < 60; i++) {
      await audit.record(manager, {
        action: i % 3 === 0 ? 'case.personal_data_viewed' : 'case.decided',
        actor: { type: 'officer', id: '00000000-0000-4000-8000-000000000001', username: i % 2 ? 'wang.li' : 'lin.yu' },
        target: { type: 'case', id: `case-${i}` },
        postCode: i % 4 === 0 ? 'JP-TYO' : 'US-LAX',
      });
    }
    const supervisor = await signInOfficer(app, { roles: ['supervisor'], username: 'sup.audit' });
    web = new Browser(app);
    web.setCookie('officer_session', supervisor.cookie.split('=')[1]!);
  });

  afterAll(async () => {
    await stack?.close();
  });

  const seqs = (html: string) => [...html.matchAll(/<tr>\s*<td>(\d+)<\/td>/g)].map((m) => Number(m[1]));

  it('refuses UPDATE and DELETE on audit_log through the application’s own connection', async () => {
    const dataSource = app.get(DataSource);
    await expect(dataSource.query(`UPDATE audit_log SET actor_name = 'nobody' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM audit_log WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(dataSource.transaction((manager) => manager.query(`DELETE FROM audit_log`))).rejects.toThrow(/append-only/);
  });

  it('pages newest first with keyset links that keep the filters', async () => {
    const first = await web.get('/officer/audit');
    expect(first.statusCode).toBe(200);
    const firstSeqs = seqs(first.body);
    expect(firstSeqs).toHaveLength(50);
    expect(firstSeqs).toEqual([...firstSeqs].sort((a, b) => b - a));
    const next = /<a href="([^"]+)">Older entries<\/a>/.exec(first.body)![1]!.replace(/&amp;/g, '&');
    expect(next).toBe(`/officer/audit?before=${firstSeqs.at(-1)}`);
    const second = await web.get(next);
    const secondSeqs = seqs(second.body);
    expect(secondSeqs[0]).toBe(firstSeqs.at(-1)! - 1);
    expect(secondSeqs.at(-1)).toBe(1);
    expect(second.body).not.toContain('Older entries');
    expect(second.body).toContain('Newest entries');
  });

  it('filters by action prefix, officer, post and outcome, and shows an empty state and field errors', async () => {
    const viewed = await web.get('/officer/audit?action=case.personal_data_viewed&actor=lin.yu');
    const rows = seqs(viewed.body);
    expect(rows).toHaveLength(10);
    expect(viewed.body).not.toContain('wang.li');
    const posts = await web.get('/officer/audit?action=case.&post=jp-tyo');
    expect(seqs(posts.body)).toHaveLength(15);
    expect(posts.body).toContain('value="JP-TYO"');
    const sessions = await web.get('/officer/audit?action=officer.');
    expect(seqs(sessions.body).length).toBeGreaterThan(0);
    expect(sessions.body).not.toContain('case.decided');
    const none = await web.get('/officer/audit?outcome=failure');
    expect(none.body).toContain('No entries match these filters.');
    const bad = await web.get('/officer/audit?from=2026-02-30&outcome=maybe&action=DROP%20TABLE');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter a real date as YYYY-MM-DD');
    expect(bad.body).toContain('Choose success or failure');
    expect(bad.body).toContain('aria-invalid="true"');
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    expect(seqs((await web.get(`/officer/audit?from=${day(-1)}&to=${day(1)}&action=case.decided`)).body)).toHaveLength(40);
    expect(seqs((await web.get(`/officer/audit?to=${day(-2)}`)).body)).toHaveLength(0);
  });
});
