#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only=id,id] [-- --out <dir>] [-- --no-build] [-- --cpu-prof]`: starts its
// own stack (embedded PostgreSQL, a local redis-server and an SMTP sink, or DATABASE_URL / REDIS_URL if
// given), runs every benchmark with its baseline in the same run, and writes RESULTS.md,
// results/latest.json and one SVG chart per benchmark into bench/ (or into --out).
// --cpu-prof runs the API and worker processes under `node --cpu-prof` and leaves their .cpuprofile
// files in <out>/profiles (open them in Chrome DevTools or speedscope).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { freePort, log, startPostgres, startRedis, waitForPort } from '../scripts/lib/services.mjs';
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
} from '../scripts/lib/stack.mjs';
import { cpuSeconds, http, machine, peakRssMiB, pgbench, rssMiB } from './lib/measure.mjs';
import { writeReport } from './lib/report.mjs';

const args = process.argv.slice(2);
function option(name) {
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  if (inline) return inline.slice(name.length + 3);
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}
const quick = args.includes('--quick');
const only = option('only')?.split(',');
const cpuProf = args.includes('--cpu-prof');
const skipBuild = args.includes('--no-build');
const BENCH_DIR = path.join(ROOT, 'bench');
const OUT_DIR = path.resolve(option('out') ?? BENCH_DIR);

async function loadBenchmarks() {
  const dir = path.join(BENCH_DIR, 'benchmarks');
  const modules = [];
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .sort()) {
    const benchmark = (await import(pathToFileURL(path.join(dir, file)).href)).default;
    if (!only || only.includes(benchmark.id)) modules.push(benchmark);
  }
  return modules;
}

function ratioOf(result) {
  if (result.ratio !== undefined) return result.ratio;
  if (!result.baseline) return undefined;
  return result.baseline.value ? result.figure.value / result.baseline.value : undefined;
}

function goalMet(goal, ratio, result) {
  if (goal.ratioAtLeast !== undefined && !(ratio >= goal.ratioAtLeast)) return false;
  if (goal.ratioAtMost !== undefined && !(ratio <= goal.ratioAtMost)) return false;
  if (goal.ratioAbove !== undefined && !(ratio > goal.ratioAbove)) return false;
  if (goal.p95Below !== undefined && !((result.p95AtHalfPeak ?? result.figure.p95) < goal.p95Below)) return false;
  return result.met ?? true;
}

/** A local SMTP server that accepts and counts every message: the notification benchmarks' mail sink. */
async function startSmtpSink() {
  const port = await freePort();
  const sink = { url: `smtp://127.0.0.1:${port}`, received: 0, recipients: new Map() };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        sink.received++;
        for (const r of session.envelope.rcptTo) sink.recipients.set(r.address, (sink.recipients.get(r.address) ?? 0) + 1);
        callback(null);
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  sink.stop = () => new Promise((resolve) => server.close(resolve));
  return sink;
}

async function main() {
  const started = Date.now();
  ensureDependencies();
  if (!skipBuild) build();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consular-bench-'));
  const profileDir = path.join(OUT_DIR, 'profiles');
  if (cpuProf) fs.mkdirSync(profileDir, { recursive: true });
  const stack = { children: new Set(), postgres: null, redis: null, smtp: null, pool: null, fixtures: null };
  /** Peak RSS (MiB) per process label, kept across restarts. */
  const peakRss = {};
  const samplePeak = (child) => {
    const mib = peakRssMiB(child.pid);
    if (Number.isFinite(mib)) peakRss[child.label] = Math.max(peakRss[child.label] ?? 0, mib);
  };
  const stop = async (child) => {
    samplePeak(child);
    await stopChild(child);
    stack.children.delete(child);
  };
  const cleanup = async () => {
    await stack.fixtures?.close().catch(() => undefined);
    await stack.pool?.end().catch(() => undefined);
    await Promise.all([...stack.children].map((c) => stop(c)));
    await stack.smtp?.stop();
    await stack.redis?.stop();
    await stack.postgres?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

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
      stack.postgres = await startPostgres({ dataDir: path.join(workDir, 'postgres'), port: await freePort() });
      env.DATABASE_URL = await ensureDatabase(stack.postgres.url, 'consular_bench');
    }
    if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
    else {
      stack.redis = await startRedis({ dataDir: path.join(workDir, 'redis'), port: await freePort(), appendOnly: true });
      env.REDIS_URL = stack.redis.url;
    }
    migrateAndSeed(env);

    const launch = (label, script, extraEnv = {}, { quiet = false } = {}) => {
      const nodeArgs = cpuProf
        ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--import', pathToFileURL(path.join(BENCH_DIR, 'lib/profile-exit.mjs')).href]
        : [];
      const child = startNode(label, script, { ...env, ...extraEnv }, { quiet, nodeArgs });
      stack.children.add(child);
      return child;
    };
    const startApi = async (label, extraEnv = {}, { script = 'dist/apps/api/src/main.js', quiet = true } = {}) => {
      const port = await freePort();
      const child = launch(label, script, { ...extraEnv, PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }, { quiet });
      const url = `http://127.0.0.1:${port}`;
      await waitForHttp(`${url}/health/ready`, 60_000);
      return { url, pid: child.pid, child, stop: () => stop(child) };
    };
    const startWorker = async (label, extraEnv = {}, { quiet = true } = {}) => {
      const before = await workerCounts(env.REDIS_URL, env.QUEUE_PREFIX);
      const child = launch(label, 'dist/apps/worker/src/main.js', extraEnv, { quiet });
      await waitForWorker(env.REDIS_URL, env.QUEUE_PREFIX, child, before);
      return { pid: child.pid, child, stop: () => stop(child) };
    };

    const api = await startApi('api');
    let worker = await startWorker('worker');
    stack.pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 10 });

    const duration = quick ? 2 : 5;
    const rounds = quick ? 1 : 3;
    const connections = 50;
    const ctx = {
      quick,
      duration,
      rounds,
      connections,
      apiUrl: api.url,
      env,
      workDir,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      queuePrefix: env.QUEUE_PREFIX,
      smtp: stack.smtp,
      get pids() {
        return { api: api.pid, worker: worker.pid };
      },
      /** Runs a query on the benchmark database; returns the rows. */
      sql: async (text, params) => (await stack.pool.query(text, params)).rows,
      /** Services built from dist/ for preparing data (officers, drafts, cases); see lib/fixtures.mjs. */
      async fixtures() {
        if (!stack.fixtures) {
          const { openFixtures } = await import('./lib/fixtures.mjs');
          stack.fixtures = await openFixtures(env);
        }
        return stack.fixtures;
      },
      http: (options) => http({ connections, durationSeconds: duration, ...options }),
      pgbench: (options) => pgbench({ durationSeconds: duration, workDir, url: env.DATABASE_URL, ...options }),
      /** Runs figure and baseline in alternation; the median round of each (by `by`, else its `rps`, `tps` or `value`) counts. */
      async alternate(figureRun, baselineRun, { by } = {}) {
        const figures = [];
        const baselines = [];
        for (let i = 0; i < rounds; i++) {
          figures.push(await figureRun(i));
          baselines.push(await baselineRun(i));
        }
        const key = (r) => (by ? r[by] : (r.rps ?? r.tps ?? r.value));
        const median = (results) => [...results].sort((a, b) => key(a) - key(b))[Math.floor(results.length / 2)];
        return { figure: median(figures), baseline: median(baselines), rounds: { figures, baselines } };
      },
      async startServer(script, extraEnv = {}) {
        const port = await freePort();
        const child = startNode(script, script, { ...env, ...extraEnv, PORT: String(port) }, { quiet: true });
        stack.children.add(child);
        await waitForPort(port, 30_000, script);
        return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stop(child) };
      },
      /** Another API process on this machine, against the same PostgreSQL and Redis (a different launcher with `script`). */
      startApi: (label, extraEnv, options) => startApi(label, extraEnv, options),
      startWorker: (label, extraEnv, options) => startWorker(label, extraEnv, options),
      /** Stops the stack's own worker; `restartWorker` brings it back (a benchmark that needs the queue to wait). */
      async stopWorker() {
        await worker.stop();
      },
      async restartWorker() {
        worker = await startWorker('worker');
        return worker;
      },
      cpuSeconds,
    };

    const rows = [];
    for (const benchmark of await loadBenchmarks()) {
      log(`benchmark: ${benchmark.title}`);
      const benchStarted = Date.now();
      try {
        const result = await benchmark.run(ctx);
        const ratio = ratioOf(result);
        rows.push({
          id: benchmark.id,
          title: benchmark.title,
          goal: benchmark.goal,
          ...result,
          ratio,
          met: goalMet(benchmark.goal, ratio, result),
          seconds: Math.round((Date.now() - benchStarted) / 1000),
          rssAfterMiB: { api: rssMiB(api.pid), worker: rssMiB(worker.pid) },
        });
      } catch (error) {
        log(`${benchmark.id} failed: ${error.stack ?? error.message}`);
        rows.push({
          id: benchmark.id,
          title: benchmark.title,
          goal: benchmark.goal,
          error: error.message,
          seconds: Math.round((Date.now() - benchStarted) / 1000),
        });
      }
      if (worker.child.exitCode !== null) worker = await startWorker('worker');
    }
    for (const child of stack.children) samplePeak(child);
    const run = {
      startedAt: new Date(started).toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      quick,
      command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
      machine: machine(),
      peakRss,
      rows,
    };
    await writeReport(OUT_DIR, run);
    for (const row of rows)
      log(`${row.id}: ${row.error ? `FAILED ${row.error}` : `ratio ${row.ratio?.toFixed?.(3) ?? '—'} ${row.met ? 'met' : 'NOT met'}`}`);
    log(`wrote ${path.relative(process.cwd(), path.join(OUT_DIR, 'RESULTS.md')) || 'RESULTS.md'} in ${run.durationSeconds} s`);
  } finally {
    await cleanup();
  }
}

/** Counts the BullMQ workers registered per queue; a new worker process is ready once both counts rise. */
async function workerCounts(redisUrl, prefix) {
  const { Queue } = await import('bullmq');
  const counts = [];
  for (const name of ['documents', 'notifications']) {
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

main().catch((error) => {
  console.error(`[bench] failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
