// The stack that `npm run bench` and `npm run soak` measure: embedded PostgreSQL and a local
// redis-server in a throwaway folder (or DATABASE_URL / REDIS_URL when given), migrated and seeded,
// then the compiled API and worker in production mode with fresh keys, mailing a local SMTP sink.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { freePort, startPostgres, startRedis, waitForPort } from '../../scripts/lib/services.mjs';
import {
  ROOT,
  build,
  ensureDatabase,
  ensureDependencies,
  ephemeralSecrets,
  migrateAndSeed,
  startNode,
  stopChild,
  waitForHttp,
} from '../../scripts/lib/stack.mjs';
import { openFixtures } from './fixtures.mjs';
import { peakRssMiB } from './measure.mjs';

const API_SCRIPT = 'dist/apps/api/src/main.js';
const WORKER_SCRIPT = 'dist/apps/worker/src/main.js';
const WORKER_QUEUES = ['documents', 'notifications'];

/** A local SMTP server that accepts and counts every message (production mode requires a mail server). */
async function startSmtpSink() {
  const port = await freePort();
  const sink = { url: `smtp://127.0.0.1:${port}`, received: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        sink.received++;
        callback(null);
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  sink.stop = () => new Promise((resolve) => server.close(resolve));
  return sink;
}

/** Counts the BullMQ workers registered per queue; a new worker process is ready once every count rises. */
async function workerCounts(redisUrl, prefix) {
  const counts = [];
  for (const name of WORKER_QUEUES) {
    const queue = new Queue(name, { connection: { url: redisUrl }, prefix });
    counts.push(await queue.getWorkersCount());
    await queue.close();
  }
  return counts;
}

async function waitForWorker(redisUrl, prefix, child, before) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${child.label} exited with code ${child.exitCode}`);
    const now = await workerCounts(redisUrl, prefix);
    if (now.every((count, i) => count > before[i])) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${child.label} did not start its queue workers within 60 s`);
}

/**
 * Builds (unless `skipBuild`), then starts the stack in a new temporary folder and waits until its API
 * answers /health/ready and its worker has registered on every queue. `stop()` ends every process the
 * stack started and removes the folder; it runs on its own when starting fails and on Ctrl-C (the
 * process then exits 130). With `cpuProfileDir`, API and worker processes run under `node --cpu-prof`
 * and leave their profiles there. `showAppOutput` passes the API's and worker's stdout through.
 */
export async function startBenchStack({ purpose, skipBuild = false, cpuProfileDir, showAppOutput = false }) {
  ensureDependencies();
  if (!skipBuild) build();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `consular-${purpose}-`));
  if (cpuProfileDir) fs.mkdirSync(cpuProfileDir, { recursive: true });
  const appNodeArgs = cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, '--import', pathToFileURL(path.join(ROOT, 'bench/lib/profile-exit.mjs')).href]
    : [];
  const quiet = !showAppOutput;
  const children = new Set();
  const peakRssByLabel = {};
  let postgres;
  let redis;
  let pool;
  let fixtures;
  let stopping;

  const samplePeakRss = (child) => {
    const mib = peakRssMiB(child.pid);
    if (Number.isFinite(mib)) peakRssByLabel[child.label] = Math.max(peakRssByLabel[child.label] ?? 0, mib);
  };
  const stopProcess = async (child) => {
    samplePeakRss(child);
    await stopChild(child);
    children.delete(child);
  };
  const launch = (label, script, extraEnv, options) => {
    // A benchmark still running while Ctrl-C stops the stack must not start a process nobody stops.
    if (stopping) throw new Error(`not starting ${label}: the stack is stopping`);
    const child = startNode(label, script, { ...stack.env, ...extraEnv }, options);
    children.add(child);
    return child;
  };

  const stack = {
    workDir,
    env: null,
    smtp: null,
    /** The stack's own API and worker: `{ url?, pid, child, stop }`. */
    api: null,
    worker: null,

    /** Another API process against the same PostgreSQL and Redis (`script`: a different launcher). */
    async startApi(label, extraEnv = {}, { script = API_SCRIPT } = {}) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const child = launch(label, script, { ...extraEnv, PORT: String(port), PUBLIC_BASE_URL: url }, { quiet, nodeArgs: appNodeArgs });
      await waitForHttp(`${url}/health/ready`, 60_000);
      return { url, pid: child.pid, child, stop: () => stopProcess(child) };
    },

    async startWorker(label, extraEnv = {}) {
      const before = await workerCounts(stack.env.REDIS_URL, stack.env.QUEUE_PREFIX);
      const child = launch(label, WORKER_SCRIPT, extraEnv, { quiet, nodeArgs: appNodeArgs });
      await waitForWorker(stack.env.REDIS_URL, stack.env.QUEUE_PREFIX, child, before);
      return { pid: child.pid, child, stop: () => stopProcess(child) };
    },

    /** A plain Node server script given PORT, ready once the port opens. */
    async startServer(script, extraEnv = {}) {
      const port = await freePort();
      const child = launch(script, script, { ...extraEnv, PORT: String(port) }, { quiet: true });
      await waitForPort(port, 30_000, script);
      return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stopProcess(child) };
    },

    /** Starts the stack's own worker again when it has exited, so whatever runs next has one. */
    async restartWorkerIfExited() {
      if (stack.worker.child.exitCode !== null) stack.worker = await stack.startWorker('worker');
    },

    /** Runs a query on the stack's database; returns the rows. */
    async sql(text, params) {
      pool ??= new pg.Pool({ connectionString: stack.env.DATABASE_URL, max: 10 });
      return (await pool.query(text, params)).rows;
    },

    /** Services built from dist/ for preparing data (officers, drafts, cases); see fixtures.mjs. */
    async fixtures() {
      fixtures ??= await openFixtures(stack.env);
      return fixtures;
    },

    /**
     * Waits until the worker has nothing left to do: no outbox row due and no job waiting or running.
     * Preparing data (submitted cases, approvals) queues notifications and documents; measured while the
     * worker still works them off, a figure would share the cores with that backlog.
     */
    async untilIdle(timeoutMs = 600_000) {
      const queues = WORKER_QUEUES.map(
        (name) => new Queue(name, { connection: { url: stack.env.REDIS_URL }, prefix: stack.env.QUEUE_PREFIX }),
      );
      try {
        const deadline = Date.now() + timeoutMs;
        for (let quietChecks = 0; quietChecks < 2;) {
          if (Date.now() > deadline) throw new Error(`the worker was still busy after ${timeoutMs / 1000} s`);
          const [{ due }] = await stack.sql(
            `SELECT count(*)::int AS due FROM outbox WHERE dispatched_at IS NULL AND available_at <= now()`,
          );
          const counts = await Promise.all(queues.map((queue) => queue.getJobCounts('waiting', 'active', 'prioritized')));
          const busy = due + counts.reduce((sum, c) => sum + c.waiting + c.active + c.prioritized, 0);
          quietChecks = busy === 0 ? quietChecks + 1 : 0;
          await new Promise((r) => setTimeout(r, 250));
        }
      } finally {
        await Promise.all(queues.map((queue) => queue.close()));
      }
    },

    /**
     * Runs `work` with the worker's queues paused (BullMQ's global pause: workers take no new job, the
     * outbox relay still forwards rows), then resumes them. For comparisons whose two sides would
     * otherwise leave the worker different work.
     */
    async withQueuesPaused(work) {
      const queues = WORKER_QUEUES.map(
        (name) => new Queue(name, { connection: { url: stack.env.REDIS_URL }, prefix: stack.env.QUEUE_PREFIX }),
      );
      try {
        await Promise.all(queues.map((queue) => queue.pause()));
        return await work();
      } finally {
        await Promise.all(queues.map((queue) => queue.resume()));
        await Promise.all(queues.map((queue) => queue.close()));
      }
    },

    /** Peak RSS (MiB) per process label, over every process started so far, restarts included. */
    peakRss() {
      for (const child of children) samplePeakRss(child);
      return peakRssByLabel;
    },

    isStopping() {
      return stopping !== undefined;
    },

    stop() {
      stopping ??= (async () => {
        await fixtures?.close().catch(() => undefined);
        await pool?.end().catch(() => undefined);
        await Promise.all([...children].map((child) => stopProcess(child)));
        await stack.smtp?.stop();
        await redis?.stop();
        await postgres?.stop();
        fs.rmSync(workDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  process.on('SIGINT', () => void stack.stop().then(() => process.exit(130)));

  try {
    stack.smtp = await startSmtpSink();
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      BULL_BOARD_ENABLED: 'false',
      ...ephemeralSecrets(),
      STORAGE_DIR: path.join(workDir, 'files'),
      QUEUE_PREFIX: process.env.QUEUE_PREFIX ?? 'consular',
      SMTP_URL: stack.smtp.url,
      MAIL_FROM: 'Consular Services Portal <no-reply@bench.invalid>',
    };
    if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
    else {
      postgres = await startPostgres({ dataDir: path.join(workDir, 'postgres'), port: await freePort() });
      env.DATABASE_URL = await ensureDatabase(postgres.url, 'consular_bench');
    }
    if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
    else {
      redis = await startRedis({ dataDir: path.join(workDir, 'redis'), port: await freePort(), appendOnly: true });
      env.REDIS_URL = redis.url;
    }
    stack.env = env;
    migrateAndSeed(env);
    stack.api = await stack.startApi('api');
    stack.worker = await stack.startWorker('worker');
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
