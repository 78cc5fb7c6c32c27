#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only=id,id] [-- --out <dir>] [-- --no-build] [-- --cpu-prof]`: starts its
// own stack (embedded PostgreSQL, a local redis-server and an SMTP sink, or DATABASE_URL / REDIS_URL if
// given), runs every benchmark with its baseline in the same run, and writes RESULTS.md,
// results/latest.json and one SVG chart per benchmark into bench/ (or into --out; with --only and no
// --out, into the system's temporary folder).
// --cpu-prof runs the API and worker processes under `node --cpu-prof` and leaves their .cpuprofile
// files in <out>/profiles (open them in Chrome DevTools or speedscope).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { log } from '../scripts/lib/services.mjs';
import { ROOT } from '../scripts/lib/stack.mjs';
import { cpuSeconds, http, machine, paced, pgbench, rssMiB } from './lib/measure.mjs';
import { writeReport } from './lib/report.mjs';
import { startBenchStack } from './lib/stack.mjs';

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
// bench/RESULTS.md records full runs only: a run of some benchmarks writes elsewhere unless told.
const OUT_DIR = path.resolve(option('out') ?? (only ? path.join(os.tmpdir(), 'consular-bench-partial') : BENCH_DIR));

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

async function main() {
  const started = Date.now();
  const stack = await startBenchStack({
    purpose: 'bench',
    skipBuild,
    cpuProfileDir: cpuProf ? path.join(OUT_DIR, 'profiles') : undefined,
  });
  try {
    const duration = quick ? 1 : 5;
    const rounds = quick ? 1 : 3;
    const connections = 50;
    /** Each round's figure and baseline of the benchmark running now, kept in its row of latest.json. */
    let roundsOfCurrentBenchmark;
    const ctx = {
      quick,
      duration,
      rounds,
      connections,
      apiUrl: stack.api.url,
      env: stack.env,
      workDir: stack.workDir,
      databaseUrl: stack.env.DATABASE_URL,
      redisUrl: stack.env.REDIS_URL,
      queuePrefix: stack.env.QUEUE_PREFIX,
      smtp: stack.smtp,
      get pids() {
        return { api: stack.api.pid, worker: stack.worker.pid };
      },
      sql: stack.sql,
      fixtures: stack.fixtures,
      http: (options) => http({ connections, durationSeconds: duration, ...options }),
      paced: (options) => paced({ durationSeconds: duration, ...options }),
      pgbench: (options) => pgbench({ durationSeconds: duration, workDir: stack.workDir, url: stack.env.DATABASE_URL, ...options }),
      /**
       * Runs figure and baseline in alternation, once the worker has worked off what preparing the data
       * queued; the median round of each (by `by`, else its `rps`, `tps` or `value`) counts.
       */
      async alternate(figureRun, baselineRun, { by } = {}) {
        await stack.untilIdle();
        const figures = [];
        const baselines = [];
        for (let i = 0; i < rounds; i++) {
          figures.push(await figureRun(i));
          baselines.push(await baselineRun(i));
        }
        const key = (r) => (by ? r[by] : (r.rps ?? r.tps ?? r.value));
        const median = (results) => [...results].sort((a, b) => key(a) - key(b))[Math.floor(results.length / 2)];
        const value = (r) => Math.round(key(r) * 100) / 100;
        roundsOfCurrentBenchmark = { figures: figures.map(value), baselines: baselines.map(value) };
        return { figure: median(figures), baseline: median(baselines), rounds: { figures, baselines } };
      },
      startServer: stack.startServer,
      untilIdle: stack.untilIdle,
      withQueuesPaused: stack.withQueuesPaused,
      startApi: stack.startApi,
      startWorker: stack.startWorker,
      cpuSeconds,
    };

    const rows = [];
    for (const benchmark of await loadBenchmarks()) {
      roundsOfCurrentBenchmark = undefined;
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
          rssAfterMiB: { api: rssMiB(stack.api.pid), worker: rssMiB(stack.worker.pid) },
          rounds: roundsOfCurrentBenchmark,
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
      await stack.restartWorkerIfExited();
    }
    // After Ctrl-C the benchmarks fail against a stack being stopped: those are not results to record.
    if (stack.isStopping()) return;
    const run = {
      startedAt: new Date(started).toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      quick,
      command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
      machine: machine(),
      peakRss: stack.peakRss(),
      rows,
    };
    await writeReport(OUT_DIR, run);
    for (const row of rows)
      log(`${row.id}: ${row.error ? `FAILED ${row.error}` : `ratio ${row.ratio?.toFixed?.(3) ?? '—'} ${row.met ? 'met' : 'NOT met'}`}`);
    log(`wrote ${path.relative(process.cwd(), path.join(OUT_DIR, 'RESULTS.md')) || 'RESULTS.md'} in ${run.durationSeconds} s`);
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(`[bench] failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
