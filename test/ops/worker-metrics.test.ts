import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CaseSpine } from '@app/cases';
import { createWorker } from '../../apps/worker/src/bootstrap.js';
import { WorkerHttp } from '../../apps/worker/src/worker-http.js';
import { createTestDatabase, eventually, testConfig } from '../harness/context.js';
import { type SmtpTestServer, startSmtpTestServer } from '../harness/smtp-test-server.js';
import { openCase } from '../notifications/support.js';

const EMAIL = 'metrics-reader@example.test';

/** The worker's own HTTP: Prometheus metrics of the jobs it ran, and a liveness answer that needs no database. */
describe('worker metrics and liveness', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let smtp: SmtpTestServer;
  let worker: INestApplicationContext;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await startSmtpTestServer();
    worker = await createWorker(testConfig(db.url, { SMTP_URL: smtp.url, WORKER_METRICS_PORT: '0' }));
    url = worker.get(WorkerHttp).url!;
  });

  afterAll(async () => {
    await worker?.close();
    await smtp?.stop();
    await db?.drop();
  });

  const scrape = async () => (await fetch(`${url}/metrics`)).text();

  it('counts the jobs it finished, by queue, job and outcome, with their durations and nothing personal', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const dataSource = worker.get(DataSource);
    await dataSource.transaction((m) => openCase(m, worker.get(CaseSpine), 'passport', { email: EMAIL }));
    await eventually(
      () => Promise.resolve(smtp.to(EMAIL).length),
      (n) => n === 1,
      30_000,
    );
    const metrics = await eventually(scrape, (body) => body.includes('outcome="completed"'), 10_000);
    expect(metrics).toContain('worker_jobs_total{queue="notifications",job="notify-case-event",outcome="completed"} 1');
    expect(metrics).toMatch(/worker_job_duration_seconds_count\{queue="notifications",job="notify-case-event"\} 1/);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(metrics).not.toContain(EMAIL);
  });

  it('answers liveness without the database, and nothing else', async () => {
    const live = await fetch(`${url}/health/live`);
    expect([live.status, await live.json()]).toEqual([200, { status: 'ok' }]);
    expect((await fetch(`${url}/health/ready`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it('serves nothing when WORKER_METRICS_PORT is unset, and stops listening when the worker closes', async () => {
    const quiet = await createWorker(testConfig(db.url, { SMTP_URL: smtp.url }));
    try {
      expect(quiet.get(WorkerHttp).url).toBeNull();
    } finally {
      await quiet.close();
    }
    const second = await createWorker(testConfig(db.url, { SMTP_URL: smtp.url, WORKER_METRICS_PORT: '0' }));
    const secondUrl = second.get(WorkerHttp).url!;
    expect((await fetch(`${secondUrl}/health/live`)).status).toBe(200);
    await second.close();
    await expect(fetch(`${secondUrl}/health/live`)).rejects.toThrow();
  });
});
