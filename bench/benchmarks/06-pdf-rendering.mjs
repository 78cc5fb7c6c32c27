// eVisa PDF rendering in the worker, per CPU core it used, against the application's pdfkit renderer
// alone in a loop (bench/servers/raw-pdf.mjs) rendering the same document, per core.
// Each round: with the worker's queues paused, officers approve a batch of eVisas through the API (each
// approval queues its render-evisa job through the outbox); then the documents queue is resumed and the
// worker renders the backlog (seal, PDF, file, generated_document, APPROVED → ISSUED). Between the first
// and the last document stored, documents per second and the worker's CPU seconds (from /proc) give
// renders per core-second.
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { Queue } from 'bullmq';
import { ROOT } from '../../scripts/lib/stack.mjs';
import { submittedReferences } from '../lib/evisa-flow.mjs';
import { approveMany } from '../lib/review-flow.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export default {
  id: 'pdf-rendering',
  title: 'eVisa PDF rendering in the worker vs raw pdfkit loop, per core used',
  goal: { ratioAtLeast: 0.8 },
  async run(ctx) {
    const fixtures = await ctx.fixtures();
    const perRound = ctx.quick ? 10 : 40;
    await submittedReferences(ctx, perRound * ctx.rounds + 20);
    const officers = await fixtures.officersWithTokens(4, { postCode: fixtures.evisaPost });
    const connection = { url: ctx.redisUrl };
    const documents = new Queue('documents', { connection, prefix: ctx.queuePrefix });
    const notifications = new Queue('notifications', { connection, prefix: ctx.queuePrefix });
    let sample;
    try {
      const { figure, baseline } = await ctx.alternate(
        async () => {
          await documents.pause();
          await notifications.pause();
          const ids = (await approveMany(ctx.apiUrl, officers, perRound)).map((a) => a.caseId);
          await waitFor(
            async () =>
              (
                await ctx.sql(
                  `SELECT count(*)::int AS n FROM outbox WHERE job_name = 'render-evisa' AND case_id = ANY($1) AND dispatched_at IS NOT NULL`,
                  [ids],
                )
              )[0].n === ids.length,
            60_000,
            'the relay to forward the render jobs',
          );
          const stored = async () =>
            (await ctx.sql(`SELECT count(*)::int AS n FROM generated_document WHERE case_id = ANY($1)`, [ids]))[0].n;
          await documents.resume();
          let first;
          let last;
          await waitFor(
            async () => {
              const n = await stored();
              const at = { n, time: performance.now() / 1000, cpu: ctx.cpuSeconds(ctx.pids.worker) };
              if (n > 0 && !first) first = at;
              last = at;
              return n === ids.length;
            },
            300_000,
            'the worker to render the batch',
          );
          await notifications.resume();
          sample ??= ids[0];
          const seconds = last.time - first.time;
          const cores = (last.cpu - first.cpu) / seconds;
          const rate = (last.n - first.n) / seconds;
          return { value: rate / cores, rendersPerSecond: rate, cores, documents: ids.length };
        },
        async () => {
          const file = path.join(ctx.workDir, 'raw-pdf-input.bin');
          const printed = await fixtures.printedDocument(sample);
          fs.writeFileSync(file, v8.serialize({ data: printed.data, seal: printed.seal, seconds: ctx.duration }));
          const run = spawnSync(process.execPath, [path.join(ROOT, 'bench/servers/raw-pdf.mjs'), file], { encoding: 'utf8' });
          if (run.status !== 0) throw new Error(`raw-pdf.mjs failed: ${run.stderr}`);
          const raw = JSON.parse(run.stdout.trim().split('\n').at(-1));
          if (raw.sha256 !== printed.sha256) throw new Error("the raw renderer did not produce the worker's PDF: not the same document");
          return { value: raw.renders / raw.cpuSeconds, rendersPerSecond: raw.renders / raw.seconds, cores: raw.cpuSeconds / raw.seconds };
        },
      );
      return {
        figure: { label: 'worker renders per core-second', ...figure },
        baseline: { label: 'raw pdfkit renders per core-second', ...baseline },
        notes: `worker: ${figure.rendersPerSecond.toFixed(1)} renders/s on ${figure.cores.toFixed(2)} cores; raw loop: ${baseline.rendersPerSecond.toFixed(1)} renders/s on ${baseline.cores.toFixed(2)} cores`,
        command: `approve ${perRound} eVisas through the API with the queues paused, resume the documents queue, time first → last generated_document and the worker's /proc CPU time; baseline node bench/servers/raw-pdf.mjs (${ctx.duration} s loop); ${ctx.rounds} alternating rounds`,
      };
    } finally {
      await documents.resume().catch(() => undefined);
      await notifications.resume().catch(() => undefined);
      await documents.close();
      await notifications.close();
    }
  },
};
