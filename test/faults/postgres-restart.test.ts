import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { runMigrations, runSeeds } from '@app/schema';
import { freePort, type RunningService, startPostgres } from '../../scripts/lib/services.mjs';
import { eventually, openDataSource, testEnv } from '../harness/context.js';
import { integrityProblems } from '../harness/integrity.js';
import { type ApiProcess, type AppProcess, startApiProcess, startWorkerProcess, stopAllProcesses } from '../harness/processes.js';
import { applicantAnswers } from '../evisa/helpers.js';
import { count, HttpApplicant } from './support.js';

interface Outcome {
  status: number | 'connection lost';
  body: string;
}

/**
 * PostgreSQL restarted (fast shutdown, then started again on the same port and data) while
 * applicants open drafts. The API process is never restarted: /health/ready answers 503 while
 * the database is away and 200 again once it is back, requests fail cleanly in between (the one
 * error shape, never a hung connection), work succeeds again afterwards, no case is left half
 * written, and the worker's outbox relay picks up again too.
 */
describe('PostgreSQL restarted under load', () => {
  let postgres: RunningService;
  let dataDir: string;
  let databaseUrl: string;
  let env: Record<string, string>;
  let api: ApiProcess;
  let worker: AppProcess;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    dataDir = path.join(fs.mkdtempSync(path.join(process.env.TEST_WORK_DIR!, 'pg-restart-')), 'data');
    postgres = await startPostgres({ dataDir, port: await freePort(), fsync: false });
    databaseUrl = await createDatabase(postgres.url, 'consular');
    await runMigrations(databaseUrl);
    await runSeeds(databaseUrl);
    env = testEnv(databaseUrl, { LOG_LEVEL: 'warn' });
    [api, worker] = await Promise.all([startApiProcess(env), startWorkerProcess(env)]);
  });

  afterAll(async () => {
    await stopAllProcesses();
    await dataSource?.destroy();
    await postgres.stop();
  });

  it('goes 503 and recovers without a restart of the API, leaving no half-written case', async () => {
    const applicant = new HttpApplicant(api.baseUrl);
    const readiness: number[] = [];
    const outcomes: Outcome[] = [];
    let running = true;

    const probeReadiness = async () => {
      while (running) {
        readiness.push(
          await fetch(`${api.baseUrl}/health/ready`).then(
            (r) => r.status,
            () => -1,
          ),
        );
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const applicantLoop = async () => {
      while (running) {
        const opened = await applicant.call('POST', '/api/v1/evisa/drafts', { json: applicantAnswers().eligibility }).catch(() => null);
        outcomes.push(opened ? { status: opened.status, body: opened.text } : { status: 'connection lost', body: '' });
        if (opened?.status === 201) {
          const token = opened.json().draftToken as string;
          const saved = await applicant
            .call('PUT', '/api/v1/evisa/draft/answers/contact', { json: applicantAnswers().contact, headers: { 'x-draft-token': token } })
            .catch(() => null);
          outcomes.push(saved ? { status: saved.status, body: saved.text } : { status: 'connection lost', body: '' });
        }
      }
    };
    const load = [probeReadiness(), applicantLoop(), applicantLoop(), applicantLoop()];

    await eventually(
      async () => outcomes.filter((o) => o.status === 201).length,
      (n) => n >= 5,
      30_000,
    );
    await postgres.stop();
    const downSince = outcomes.length;
    await eventually(
      async () => readiness.at(-1),
      (status) => status === 503,
      15_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    postgres = await startPostgres({ dataDir, port: postgres.port, fsync: false });
    await eventually(
      async () => readiness.at(-1),
      (status) => status === 200,
      30_000,
    );
    const upAgain = outcomes.length;
    await eventually(
      async () => outcomes.slice(upAgain).filter((o) => o.status === 201).length,
      (n) => n >= 5,
      30_000,
    );
    running = false;
    await Promise.all(load);

    // 200 … 503 … 200, from the same API process.
    const transitions = readiness.filter((status, i) => i === 0 || status !== readiness[i - 1]);
    expect(transitions[0]).toBe(200);
    expect(transitions).toContain(503);
    expect(transitions.at(-1)).toBe(200);
    expect(transitions).not.toContain(-1);
    // A process that died says why (its last output) instead of just false.
    const fate = async (process: AppProcess) =>
      process.alive() ? 'alive' : `exited (${await process.exited}): ${process.output().slice(-3000)}`;
    expect({ api: await fate(api), worker: await fate(worker) }).toEqual({ api: 'alive', worker: 'alive' });

    // While the database was away: clean refusals in the one error shape, never a dropped connection.
    const refused = outcomes.slice(downSince).filter((o) => o.status !== 201 && o.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    // Anything but a 503 comes with the API's last output, which holds the error behind it.
    const notRefusedCleanly = refused.filter((o) => o.status !== 503);
    expect({ notRefusedCleanly, apiOutput: notRefusedCleanly.length ? api.output().slice(-6000) : '' }).toEqual({
      notRefusedCleanly: [],
      apiOutput: '',
    });
    for (const outcome of refused) {
      const body = JSON.parse(outcome.body) as { error: Record<string, unknown> };
      expect(Object.keys(body)).toEqual(['error']);
      expect(Object.keys(body.error).sort()).toEqual(['code', 'correlationId', 'message']);
    }
    expect(outcomes.slice(upAgain).filter((o) => o.status === 201).length).toBeGreaterThanOrEqual(5);

    dataSource = await openDataSource(databaseUrl);
    expect(await integrityProblems(dataSource, env.STORAGE_DIR)).toEqual([]);
    expect(await count(dataSource, `SELECT count(*) AS n FROM "case"`, [])).toBeGreaterThanOrEqual(10);
    // The worker's relay lost its LISTEN session and its pool with the server; it forwards again.
    expect(
      await eventually(
        () => count(dataSource!, `SELECT count(*) AS n FROM outbox WHERE dispatched_at IS NULL`, []),
        (n) => n === 0,
        30_000,
      ),
    ).toBe(0);
  }, 180_000);
});

async function createDatabase(adminUrl: string, name: string): Promise<string> {
  // The port opens a moment before the server accepts logins.
  let client: pg.Client;
  for (let attempt = 0; ; attempt++) {
    client = new pg.Client({ connectionString: adminUrl });
    try {
      await client.connect();
      break;
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
