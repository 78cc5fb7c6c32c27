import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/schema';
import { createTestDatabase, eventually, testEnv } from '../harness/context.js';
import { type AppProcess, startApiProcess, startWorkerProcess, stopAllProcesses } from '../harness/processes.js';
import { applicantAnswers } from '../evisa/helpers.js';
import { HttpApplicant } from './support.js';

/**
 * PostgreSQL dropping connections (a restart, a failover, pg_terminate_backend) must never kill a
 * process. node-postgres reports a drop as an 'error' event on the client, fatal when nobody
 * listens; pg-pool stops listening when it hands a client out and TypeORM starts a microtask
 * later, so a connection dropped in that gap killed the worker (seen once in a full run of the
 * PostgreSQL restart test, then reproduced here).
 */
describe('PostgreSQL dropping connections', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await stopAllProcesses();
    await db.drop();
  });

  it('leaves no pooled connection without an error listener, even at the moment it is handed out', async () => {
    const dataSource = new DataSource(dataSourceOptions(db.url, 3));
    await dataSource.initialize();
    try {
      const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
      const listenersWhenHandedOut = async () =>
        new Promise<number>((resolve, reject) =>
          pool.connect((error, client, release) => {
            if (error || !client) return reject(error ?? new Error('no client'));
            const listeners = client.listenerCount('error'); // before anyone who asked could add one
            release();
            resolve(listeners);
          }),
        );
      const held = await Promise.all([pool.connect(), pool.connect()]); // the next one is a brand-new connection
      const fresh = await listenersWhenHandedOut();
      held.forEach((client) => client.release());
      const reused = await listenersWhenHandedOut();
      expect({ fresh, reused }).toEqual({ fresh: 1, reused: 1 });
    } finally {
      await dataSource.destroy();
    }
  });

  it('keeps the worker and the API running while their connections are terminated over and over', async () => {
    const env = testEnv(db.url, { LOG_LEVEL: 'warn' });
    const [worker, api] = await Promise.all([startWorkerProcess(env), startApiProcess(env)]);
    const writer = new pg.Client({ connectionString: db.url, application_name: 'test-writer' });
    const admin = new pg.Client({ connectionString: process.env.TEST_PG_ADMIN_URL });
    await Promise.all([writer.connect(), admin.connect()]);
    const applicant = new HttpApplicant(api.baseUrl);
    const fate = async (process: AppProcess) =>
      process.alive() ? 'alive' : `exited (${await process.exited}): ${process.output().slice(-3000)}`;
    try {
      const deadline = Date.now() + 8000;
      while (Date.now() < deadline && worker.alive() && api.alive()) {
        // Work for both: jobs for the worker (through the outbox) and requests for the API.
        await writer.query(
          `INSERT INTO outbox (queue, job_name, payload)
           SELECT 'notifications', 'send-draft-resume-link', '{"caseId":"00000000-0000-4000-8000-000000000000"}' FROM generate_series(1, 20)`,
        );
        void applicant.call('POST', '/api/v1/evisa/drafts', { json: applicantAnswers().eligibility }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, Math.random() * 40));
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name <> 'test-writer'`,
          [db.name],
        );
      }
      expect({ worker: await fate(worker), api: await fate(api) }).toEqual({ worker: 'alive', api: 'alive' });
      // And both still work once the drops stop.
      expect(
        await eventually(
          async () => Number((await writer.query(`SELECT count(*) AS n FROM outbox WHERE dispatched_at IS NULL`)).rows[0].n),
          (n) => n === 0,
          30_000,
        ),
      ).toBe(0);
      expect((await fetch(`${api.baseUrl}/health/ready`)).status).toBe(200);
    } finally {
      await Promise.all([writer.end(), admin.end()]);
    }
  }, 60_000);
});
