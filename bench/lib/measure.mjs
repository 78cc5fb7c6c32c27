// Measuring tools for the benchmarks: autocannon for HTTP, pgbench for the database baselines,
// and a peak-RSS sampler for processes.
import autocannon from 'autocannon';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { Agent as httpAgent, request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export function machine() {
  return {
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
}

/** Runs autocannon; `requests` may vary bodies per request. Returns throughput and latency percentiles in ms. */
export async function http({ url, method = 'GET', headers = {}, body, requests, connections = 50, durationSeconds = 10, rate, amount }) {
  const startedAt = performance.now();
  let lastResponseAt = startedAt;
  const run = autocannon({
    url,
    method,
    headers,
    body,
    requests,
    connections,
    ...(amount ? { amount } : { duration: durationSeconds }),
    ...(rate ? { overallRate: rate } : {}),
  });
  run.on('response', () => {
    lastResponseAt = performance.now();
  });
  const result = await run;
  return {
    // With a fixed amount, autocannon notices the end only at its next one-second tick, so its
    // duration is rounded up to whole seconds (2,000 requests done in 4.2 s read as 400/s): the
    // rate is taken up to the last response instead.
    rps: amount ? result.requests.total / Math.max((lastResponseAt - startedAt) / 1000, 0.001) : result.requests.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    statusCodes: result.statusCodeStats,
    errors: result.errors + result.timeouts,
    p50: result.latency.p50,
    p95: result.latency.p97_5 !== undefined ? percentileFrom(result, 95) : result.latency.p90,
    p99: result.latency.p99,
    histogram: latencyBuckets(result),
  };
}

/**
 * An open-loop load at a steady `rate`: request i is due at start + i / rate, whether or not earlier
 * ones have been answered, and its latency counts from when it was due (so a stalled server is not
 * flattered by requests sent late). autocannon's own rate limit is no use for "p95 at half of peak":
 * each connection sends its share of the second back to back and then waits for the next second, so
 * every second starts with a burst at full concurrency. `next(i)` gives request i:
 * `{ method, path, headers?, body? }`; `onResponse(i, status)`, if given, hears each answer.
 */
export async function paced({ url, rate, durationSeconds = 10, next, onResponse }) {
  const agent = new httpAgent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(url);
  const count = Math.max(1, Math.round(rate * durationSeconds));
  const latencies = [];
  const statusCodes = {};
  let errors = 0;
  const send = (i, dueAt) =>
    new Promise((resolve) => {
      const { method, path: requestPath, headers = {}, body } = next(i);
      const request = httpRequest({ host: target.hostname, port: target.port, method, path: requestPath, headers, agent }, (response) => {
        response.resume();
        response.on('end', () => {
          latencies.push(performance.now() - dueAt);
          statusCodes[response.statusCode] = (statusCodes[response.statusCode] ?? 0) + 1;
          onResponse?.(i, response.statusCode);
          resolve();
        });
      });
      request.on('error', () => {
        errors++;
        resolve();
      });
      request.end(body);
    });
  const startedAt = performance.now();
  const inFlight = [];
  for (let i = 0; i < count; i++) {
    const dueAt = startedAt + (i * 1000) / rate;
    const wait = dueAt - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(send(i, dueAt));
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - startedAt) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p) =>
    latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 100) / 100 : NaN;
  const non2xx = Object.entries(statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    rps: latencies.length / seconds,
    total: count,
    non2xx,
    statusCodes,
    errors,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    histogram: [1, 2.5, 10, 25, 50, 75, 90, 97.5, 99].map((p) => [`p${p}`, at(p)]).concat([['max', at(100)]]),
  };
}

// autocannon reports p90, p97.5 and p99; p95 is interpolated between p90 and p97.5.
function percentileFrom(result, p) {
  const { p90, p97_5: p975 } = result.latency;
  return Math.round((p90 + ((p - 90) / 7.5) * (p975 - p90)) * 100) / 100;
}

function latencyBuckets(result) {
  const l = result.latency;
  return [
    ['p1', l.p1],
    ['p2.5', l.p2_5],
    ['p10', l.p10],
    ['p25', l.p25],
    ['p50', l.p50],
    ['p75', l.p75],
    ['p90', l.p90],
    ['p97.5', l.p97_5],
    ['p99', l.p99],
    ['max', l.max],
  ].filter(([, v]) => typeof v === 'number');
}

/**
 * Runs pgbench against `url` with a custom script (or the built-in select-only with `builtin`),
 * logging every transaction so the percentiles are exact. Returns tps and latency in ms.
 */
export function pgbench({ url, script, builtin, clients = 16, durationSeconds = 10, transactions, workDir, init = false }) {
  const u = new URL(url);
  const env = {
    ...process.env,
    PGPASSWORD: decodeURIComponent(u.password),
    PGHOST: u.hostname,
    PGPORT: u.port,
    PGUSER: decodeURIComponent(u.username),
    PGDATABASE: u.pathname.slice(1),
  };
  if (init) {
    const initRun = spawnSync('pgbench', ['-i', '-q', '-s', '10'], { env, encoding: 'utf8' });
    if (initRun.status !== 0) throw new Error(`pgbench -i failed: ${initRun.stderr}`);
  }
  const logDir = fs.mkdtempSync(path.join(workDir, 'pgbench-'));
  const args = [
    '-n',
    '-c',
    String(clients),
    '-j',
    String(Math.min(clients, os.cpus().length)),
    ...(transactions ? ['-t', String(transactions)] : ['-T', String(durationSeconds)]),
    '-l',
    '--log-prefix',
    path.join(logDir, 'tx'),
  ];
  if (builtin) args.push('-b', builtin);
  if (script) {
    const file = path.join(logDir, 'script.sql');
    fs.writeFileSync(file, script);
    args.push('-f', file);
  }
  const run = spawnSync('pgbench', args, { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr || run.stdout}`);
  const tps = Number(/tps = ([\d.]+)/.exec(run.stdout)?.[1] ?? NaN);
  const latencies = [];
  for (const file of fs.readdirSync(logDir).filter((f) => f.startsWith('tx'))) {
    for (const line of fs.readFileSync(path.join(logDir, file), 'utf8').split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields.length >= 3) latencies.push(Number(fields[2]) / 1000);
    }
  }
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 100) / 100 : NaN;
  fs.rmSync(logDir, { recursive: true, force: true });
  return {
    tps,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    histogram: [1, 2.5, 10, 25, 50, 75, 90, 97.5, 99].map((p) => [`p${p}`, pct(p)]).concat([['max', latencies.at(-1) ?? NaN]]),
    transactions: latencies.length,
    command: `pgbench ${args.map((a) => (a.startsWith(logDir) ? path.basename(a) : a)).join(' ')}`,
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc; NaN once it is gone. */
export function cpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // After the command name: state is field 3, utime field 14 and stime field 15 (clock ticks, 100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** A process's resident memory now (VmRSS), in MiB. */
export function rssMiB(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return NaN;
  }
}

/** Samples a process's peak resident memory (VmHWM) from /proc. */
export function peakRssMiB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return NaN;
  }
}
