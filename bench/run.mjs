#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only id,id]`: starts its own stack (embedded PostgreSQL and a local
// redis-server, or DATABASE_URL / REDIS_URL if given), runs every benchmark with its baseline in the
// same run, and writes bench/RESULTS.md, bench/results/latest.json and one SVG chart per benchmark.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, log, waitForPort } from '../scripts/lib/services.mjs';
import { ROOT, build, ensureDependencies, startNode, stopChild } from '../scripts/lib/stack.mjs';
import { http, machine, peakRssMiB, pgbench } from './lib/measure.mjs';
import { writeReport } from './lib/report.mjs';
import { startStack } from './lib/stack.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const BENCH_DIR = path.join(ROOT, 'bench');

async function loadBenchmarks() {
  const dir = path.join(BENCH_DIR, 'benchmarks');
  const modules = [];
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .sort()) {
    const benchmark = (await import(path.join(dir, file))).default;
    if (!only || only.includes(benchmark.id)) modules.push(benchmark);
  }
  return modules;
}

function ratioOf(benchmark, result) {
  if (result.ratio !== undefined) return result.ratio;
  if (!result.baseline) return undefined;
  return result.baseline.value ? result.figure.value / result.baseline.value : undefined;
}

function goalMet(goal, ratio, result) {
  if (goal.ratioAtLeast !== undefined && !(ratio >= goal.ratioAtLeast)) return false;
  if (goal.ratioAtMost !== undefined && !(ratio <= goal.ratioAtMost)) return false;
  if (goal.p95Below !== undefined && !((result.p95AtHalfPeak ?? result.figure.p95) < goal.p95Below)) return false;
  return result.met ?? true;
}

async function main() {
  const started = Date.now();
  ensureDependencies();
  build();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consular-bench-'));
  let stack;
  const cleanup = async () => {
    await stack?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

  try {
    stack = await startStack(workDir);
    const { env, api, worker, apiUrl } = stack;

    const duration = quick ? 2 : 5;
    const rounds = quick ? 1 : 3;
    const connections = 50;
    const ctx = {
      quick,
      duration,
      rounds,
      connections,
      apiUrl,
      env,
      workDir,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      pids: { api: api.pid, worker: worker.pid },
      http: (options) => http({ connections, durationSeconds: duration, ...options }),
      pgbench: (options) => pgbench({ durationSeconds: duration, workDir, url: env.DATABASE_URL, ...options }),
      /** Runs figure and baseline in alternation; the median round of each (by its `rps` or `tps`) counts. */
      async alternate(figureRun, baselineRun) {
        const figures = [];
        const baselines = [];
        for (let i = 0; i < rounds; i++) {
          figures.push(await figureRun());
          baselines.push(await baselineRun());
        }
        const median = (results) => [...results].sort((a, b) => (a.rps ?? a.tps) - (b.rps ?? b.tps))[Math.floor(results.length / 2)];
        return { figure: median(figures), baseline: median(baselines) };
      },
      async startServer(script, extraEnv = {}) {
        const port = await freePort();
        const child = startNode(script, script, { ...env, ...extraEnv, PORT: String(port) }, { quiet: true });
        stack.children.push(child);
        await waitForPort(port, 30_000, script);
        return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child) };
      },
    };

    const rows = [];
    for (const benchmark of await loadBenchmarks()) {
      log(`benchmark: ${benchmark.title}`);
      try {
        const result = await benchmark.run(ctx);
        const ratio = ratioOf(benchmark, result);
        rows.push({
          id: benchmark.id,
          title: benchmark.title,
          goal: benchmark.goal,
          ...result,
          ratio,
          met: goalMet(benchmark.goal, ratio, result),
        });
      } catch (error) {
        rows.push({ id: benchmark.id, title: benchmark.title, goal: benchmark.goal, error: error.message });
      }
    }
    const run = {
      startedAt: new Date(started).toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      quick,
      command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
      machine: machine(),
      peakRss: { api: peakRssMiB(api.pid), worker: peakRssMiB(worker.pid) },
      rows,
    };
    writeReport(BENCH_DIR, run);
    for (const row of rows)
      log(`${row.id}: ${row.error ? `FAILED ${row.error}` : `ratio ${row.ratio?.toFixed?.(3) ?? '—'} ${row.met ? 'met' : 'NOT met'}`}`);
    log(`wrote bench/RESULTS.md in ${run.durationSeconds} s`);
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  console.error(`[bench] failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
