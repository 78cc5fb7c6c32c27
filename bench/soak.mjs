#!/usr/bin/env node
// `npm run soak [-- --minutes 10] [-- --rate N] [-- --out FILE] [-- --no-build]`: starts its own stack as
// `npm run bench` does, measures the peak throughput of a mixed load (home page, eVisa register look-ups,
// eVisa draft creation, officer queue reads with a personal access token), then runs that mix at half the
// peak for the given minutes, and records the error rate and the API's and worker's memory (RSS) at the
// start and end in bench/RESULTS.md, between its own markers. Exits 1 when more than --max-error-rate
// (default 0.01) of the requests failed.
import os from 'node:os';
import path from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import { log } from '../scripts/lib/services.mjs';
import { ROOT } from '../scripts/lib/stack.mjs';
import { http, machine, paced, peakRssMiB, rssMiB } from './lib/measure.mjs';
import { writeSoakReport } from './lib/soak-report.mjs';
import { startBenchStack } from './lib/stack.mjs';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string' },
    out: { type: 'string', default: path.join(ROOT, 'bench', 'RESULTS.md') },
    'no-build': { type: 'boolean', default: false },
    'max-error-rate': { type: 'string', default: '0.01' },
  },
  strict: true,
});
const minutes = Number(args.minutes);
const givenRate = args.rate === undefined ? undefined : Number(args.rate);
const maxErrorRate = Number(args['max-error-rate']);
if (!(minutes > 0) || (givenRate !== undefined && !(givenRate > 0)) || !(maxErrorRate >= 0)) {
  console.error('usage: npm run soak -- [--minutes <n>] [--rate <req/s>] [--out <file>] [--no-build] [--max-error-rate <0..1>]');
  process.exit(2);
}
const CONNECTIONS = 50;
const SAMPLE_EVERY_MS = 10_000;

const randomIp = () => `10.${(Math.random() * 256) | 0}.${(Math.random() * 256) | 0}.${(Math.random() * 256) | 0}`;
const randomVisaNumber = () => `EV${String((Math.random() * 1e7) | 0).padStart(7, '0')}`;

/**
 * The mix, as a sequence each connection walks through. Every request comes from its own address
 * (X-Forwarded-For, trusted in production), as look-ups from many people would: the register's
 * per-IP limit is for one caller, not for the whole load.
 */
function mixedLoad(token) {
  const kinds = [
    { id: 'home', label: 'GET / (home page)', weight: 6, method: 'GET', path: '/', headers: { accept: 'text/html' } },
    {
      id: 'register',
      label: 'POST /api/v1/verify/evisa (register look-up)',
      weight: 6,
      method: 'POST',
      path: '/api/v1/verify/evisa',
      headers: { 'content-type': 'application/json' },
      body: () => JSON.stringify({ visaNumber: randomVisaNumber(), passportNumber: 'X1234567' }),
    },
    {
      id: 'draft',
      label: 'POST /api/v1/evisa/drafts (eVisa draft)',
      weight: 3,
      method: 'POST',
      path: '/api/v1/evisa/drafts',
      headers: { 'content-type': 'application/json' },
      body: () => JSON.stringify({ nationality: 'PHL', purpose: 'tourism', passportType: 'ordinary' }),
    },
    {
      id: 'queue',
      label: 'GET /api/v1/officer/queue (access token)',
      weight: 5,
      method: 'GET',
      path: '/api/v1/officer/queue',
      headers: { authorization: `Bearer ${token}` },
    },
  ];
  const total = kinds.reduce((sum, kind) => sum + kind.weight, 0);
  for (const kind of kinds) kind.share = `${Math.round((100 * kind.weight) / total)} %`;
  const counters = new Map();
  const reset = () => kinds.forEach((kind) => counters.set(kind.id, { sent: 0, non2xx: 0, statuses: {} }));
  reset();
  // Interleaved: each kind is spread over the sequence in proportion to its weight.
  const order = kinds
    .flatMap((kind) => Array.from({ length: kind.weight }, (_, i) => ({ kind, at: (i + 0.5) / kind.weight })))
    .sort((a, b) => a.at - b.at)
    .map(({ kind }) => kind);
  const record = (kind, status) => {
    const counter = counters.get(kind.id);
    counter.sent++;
    counter.statuses[status] = (counter.statuses[status] ?? 0) + 1;
    if (status < 200 || status > 299) counter.non2xx++;
  };
  const headersOf = (kind) => ({ ...kind.headers, 'x-forwarded-for': randomIp() });
  /** For autocannon (the peak, flat out). */
  const sequence = order.map((kind) => ({
    method: kind.method,
    path: kind.path,
    setupRequest: (request) => ({ ...request, headers: headersOf(kind), body: kind.body?.() }),
    onResponse: (status) => record(kind, status),
  }));
  /** For the open-loop soak (measure.mjs `paced`): request i and what to do with its answer. */
  const next = (i) => {
    const kind = order[i % order.length];
    return { method: kind.method, path: kind.path, headers: headersOf(kind), body: kind.body?.() };
  };
  const answered = (i, status) => record(order[i % order.length], status);
  return {
    kinds,
    sequence,
    next,
    answered,
    reset,
    results: () => kinds.map((kind) => ({ id: kind.id, label: kind.label, share: kind.share, ...counters.get(kind.id) })),
  };
}

async function main() {
  const startedAt = new Date();
  // The API's and worker's own warnings are shown: over minutes of load they explain a failed request.
  const stack = await startBenchStack({ purpose: 'soak', skipBuild: args['no-build'], showAppOutput: true });
  try {
    const fixtures = await stack.fixtures();
    const [officer] = await fixtures.officersWithTokens(1, { postCode: 'HQ-TPE' });
    const load = mixedLoad(officer.token);
    const soakSeconds = Math.max(1, Math.round(minutes * 60));
    const pids = { api: stack.api.pid, worker: stack.worker.pid };

    let rate = givenRate;
    const peak = { rps: NaN, seconds: 0, connections: CONNECTIONS };
    if (rate === undefined) {
      peak.seconds = Math.min(20, Math.max(3, Math.round(soakSeconds / 2)));
      log(`measuring the peak of the mix: ${peak.seconds} s unthrottled`);
      const measured = await http({ url: stack.api.url, requests: load.sequence, connections: CONNECTIONS, durationSeconds: peak.seconds });
      peak.rps = measured.rps;
      rate = Math.max(1, Math.floor(measured.rps / 2));
    }
    load.reset();

    const rss = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, { start: rssMiB(pid), samples: [] }]));
    const sample = () => {
      const at = new Date().toISOString();
      for (const [name, pid] of Object.entries(pids)) rss[name].samples.push({ at, mib: rssMiB(pid) });
    };
    sample();
    const sampler = setInterval(sample, SAMPLE_EVERY_MS);
    const loadStart = os.loadavg().map((v) => Math.round(v * 100) / 100);
    log(`soak: ${minutes} min at ${rate} req/s`);
    let result;
    try {
      result = await paced({ url: stack.api.url, rate, durationSeconds: soakSeconds, next: load.next, onResponse: load.answered });
    } finally {
      clearInterval(sampler);
    }
    sample();
    for (const [name, pid] of Object.entries(pids)) Object.assign(rss[name], { end: rssMiB(pid), peak: peakRssMiB(pid) });

    // After Ctrl-C the load ran against a stack being stopped: that is not a result to record.
    if (stack.isStopping()) return;
    const failed = result.non2xx + result.errors;
    const run = {
      startedAt: startedAt.toISOString(),
      command: `npm run soak -- ${process.argv.slice(2).join(' ')}`.trim(),
      minutes,
      rate,
      rateGiven: givenRate !== undefined,
      peak,
      machine: machine(),
      loadAverage: { start: loadStart, end: os.loadavg().map((v) => Math.round(v * 100) / 100) },
      total: result.total,
      failed,
      errorRate: result.total ? failed / result.total : null,
      achievedRps: result.rps,
      latency: { p50: result.p50, p95: result.p95, p99: result.p99 },
      kinds: load.results(),
      rss,
    };
    await writeSoakReport(path.resolve(args.out), run);
    log(
      `soak done: ${run.total} requests, ${failed} failed (${((run.errorRate ?? 0) * 100).toFixed(3)} %); ` +
        `RSS api ${rss.api.start} → ${rss.api.end} MiB, worker ${rss.worker.start} → ${rss.worker.end} MiB; wrote ${path.relative(ROOT, path.resolve(args.out))}`,
    );
    if (!run.total || run.errorRate > maxErrorRate) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(`[soak] failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
