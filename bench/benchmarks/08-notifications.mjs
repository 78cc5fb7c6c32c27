// Notification sending to a local SMTP sink (an smtp-server in the benchmark process, SMTP_URL of the
// stack) against raw BullMQ no-op jobs at the worker's notification concurrency. Each round, with the
// notifications queue paused, cases are opened through the case spine with an applicant e-mail
// address (each writes one notify-case-event outbox row, forwarded by the relay); the queue is then
// resumed and the worker renders and sends one e-mail per case. Throughput is measured between the
// first and the last message the sink receives. The pipeline comes with the notifications branch:
// until it is merged, the row says so.
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import { waitFor } from './06-pdf-rendering.mjs';

const CONCURRENCY = 8; // the worker's notifications queue (apps/worker/src/worker.module.ts)

export default {
  id: 'notifications',
  title: 'Notification e-mails to an SMTP sink vs raw BullMQ no-op jobs (same concurrency)',
  goal: { ratioAtLeast: 0.5 },
  async run(ctx) {
    const [{ table }] = await ctx.sql(`SELECT to_regclass('notification') AS table`);
    if (!table) {
      throw new Error('notification pipeline not available: there is no notification table (it comes with the notifications branch)');
    }
    const fixtures = await ctx.fixtures();
    const perRound = ctx.quick ? 100 : 400;
    const connection = { url: ctx.redisUrl };
    const notifications = new Queue('notifications', { connection, prefix: ctx.queuePrefix });
    const noop = new Queue('bench-noop', { connection, prefix: ctx.queuePrefix });
    try {
      const { figure, baseline } = await ctx.alternate(
        async () => {
          await notifications.pause();
          const ids = await fixtures.casesToNotify(perRound);
          await waitFor(
            async () =>
              (await ctx.sql(`SELECT count(*)::int AS n FROM outbox WHERE case_id = ANY($1) AND dispatched_at IS NOT NULL`, [ids]))[0].n ===
              ids.length,
            60_000,
            'the relay to forward the notification jobs',
          );
          const before = ctx.smtp.received;
          let first;
          let last;
          await notifications.resume();
          await waitFor(
            () => {
              const received = ctx.smtp.received - before;
              const now = performance.now() / 1000;
              if (received > 0 && !first) first = { received, now };
              last = { received, now };
              return received >= ids.length;
            },
            120_000,
            `${ids.length} e-mails at the SMTP sink`,
          );
          return { value: (last.received - first.received) / (last.now - first.now), emails: ids.length };
        },
        async () => {
          let first;
          let last;
          let done = 0;
          const worker = new Worker('bench-noop', async () => undefined, {
            connection,
            prefix: ctx.queuePrefix,
            concurrency: CONCURRENCY,
            autorun: false,
          });
          worker.on('completed', () => {
            done++;
            const now = performance.now() / 1000;
            if (!first) first = { done, now };
            last = { done, now };
          });
          await noop.addBulk(Array.from({ length: perRound }, (_, i) => ({ name: 'noop', data: { i }, opts: { removeOnComplete: true } })));
          void worker.run();
          await waitFor(() => done >= perRound, 120_000, 'the no-op jobs');
          await worker.close();
          return { value: (last.done - first.done) / (last.now - first.now) };
        },
      );
      return {
        figure: { label: 'e-mails sent/s', ...figure },
        baseline: { label: 'raw BullMQ no-op jobs/s', ...baseline },
        command: `${perRound} cases opened with an applicant e-mail (queue paused), resume, first → last message at the SMTP sink; baseline ${perRound} no-op jobs on a BullMQ Worker with concurrency ${CONCURRENCY}; ${ctx.rounds} alternating rounds`,
      };
    } finally {
      await notifications.resume().catch(() => undefined);
      await notifications.close();
      await noop.obliterate({ force: true }).catch(() => undefined);
      await noop.close();
    }
  },
};
