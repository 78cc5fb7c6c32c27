// Beyond one machine, on one machine: two API and two worker processes against the same PostgreSQL
// and Redis, against one of each, in alternating rounds.
// - Claims: 50 officers claim the same number of cases through one API (50 connections), then through
//   two (25 connections each); every claimed case id is collected and none may come twice.
// - Jobs: notify-case-event outbox rows are written in one transaction and the relay(s) forward them
//   to the worker(s) (with one worker, the second is stopped); BullMQ's event stream is read to count
//   how often each job became active and completed: each must be exactly once.
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import { claimRequests, duplicatesIn } from './05-claim-next.mjs';
import { waitFor } from './06-pdf-rendering.mjs';

const POST = 'GB-LON';

export default {
  id: 'two-processes',
  title: 'Two API + two worker processes vs one of each (claims/s; no double claim, no job twice)',
  goal: { ratioAbove: 1 },
  async run(ctx) {
    const fixtures = await ctx.fixtures();
    const claimsPerRound = ctx.quick ? 300 : 2_000;
    const jobsPerRound = ctx.quick ? 300 : 3_000;
    const officers = await fixtures.officersWithTokens(ctx.connections, { postCode: POST });
    await fixtures.bulkCases(claimsPerRound * ctx.rounds * 2 + 1_000, { postCodes: [POST] });
    const secondApi = await ctx.startApi('api-2');
    const events = new QueueEvents('notifications', { connection: { url: ctx.redisUrl }, prefix: ctx.queuePrefix });
    await events.waitUntilReady();
    const active = new Map();
    const completed = new Map();
    events.on('active', ({ jobId }) => active.set(jobId, (active.get(jobId) ?? 0) + 1));
    events.on('completed', ({ jobId }) => completed.set(jobId, (completed.get(jobId) ?? 0) + 1));
    const claimed = [];
    const jobIds = [];

    const claims = async (urls, total = claimsPerRound) => {
      const share = Math.ceil(total / urls.length);
      const started = performance.now();
      const results = await Promise.all(
        urls.map((url, i) =>
          ctx.http({
            url,
            requests: claimRequests(
              officers.filter((_, k) => k % urls.length === i),
              claimed,
            ),
            connections: ctx.connections / urls.length,
            amount: share,
          }),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      const non2xx = results.reduce((n, r) => n + r.non2xx, 0);
      if (non2xx > 0) throw new Error(`${non2xx} claims were not 200`);
      await ctx.sql(
        `UPDATE "case" SET status = 'REFUSED', decided_at = now(), claim_expires_at = NULL WHERE post_code = $1 AND assigned_officer_id IS NOT NULL AND status IN ('SUBMITTED', 'IN_REVIEW')`,
        [POST],
      );
      return {
        ...results[0],
        rps: (share * urls.length) / seconds,
        p50: Math.max(...results.map((r) => r.p50)),
        p95: Math.max(...results.map((r) => r.p95)),
        p99: Math.max(...results.map((r) => r.p99)),
      };
    };

    const jobs = async () => {
      const ids = Array.from({ length: jobsPerRound }, () => randomUUID());
      jobIds.push(...ids);
      const started = performance.now();
      // Notifications for cases that do not exist: the handler looks the case up and has nothing to send.
      await ctx.sql(
        `INSERT INTO outbox (id, queue, job_name, payload, available_at)
         SELECT id, 'notifications', 'notify-case-event', jsonb_build_object('caseId', gen_random_uuid(), 'eventSeq', 1), now() FROM unnest($1::uuid[]) id`,
        [ids],
      );
      await ctx.sql(`SELECT pg_notify('outbox_pending', '')`);
      await waitFor(() => ids.every((id) => completed.has(id)), 300_000, 'the jobs to complete');
      return jobsPerRound / ((performance.now() - started) / 1000);
    };

    let secondWorker;
    try {
      // A fresh process is slow at first (lazy code, its database pool connecting): warm both up, untimed.
      await claims([ctx.apiUrl, secondApi.url], 400);
      const { figure, baseline } = await ctx.alternate(
        async () => {
          const claimRate = await claims([ctx.apiUrl, secondApi.url]);
          // Started for the jobs only: a starting process's CPU burst would slow the claims.
          secondWorker = await ctx.startWorker('worker-2');
          await new Promise((r) => setTimeout(r, 2000));
          const jobRate = await jobs();
          await secondWorker.stop();
          return { ...claimRate, jobsPerSecond: jobRate };
        },
        async () => {
          const claimRate = await claims([ctx.apiUrl]);
          const jobRate = await jobs();
          return { ...claimRate, jobsPerSecond: jobRate };
        },
      );
      await new Promise((r) => setTimeout(r, 500));
      const doubleClaims = duplicatesIn(claimed);
      const twice = jobIds.filter((id) => (active.get(id) ?? 0) > 1 || (completed.get(id) ?? 0) > 1).length;
      const missing = jobIds.filter((id) => !completed.has(id)).length;
      return {
        figure: { label: 'claims/s, 2 APIs + 2 workers', value: figure.rps, ...figure },
        baseline: { label: 'claims/s, 1 API + 1 worker', value: baseline.rps, ...baseline },
        met: doubleClaims === 0 && twice === 0 && missing === 0,
        doubleClaims,
        jobsProcessedTwice: twice,
        jobsRatio: figure.jobsPerSecond / baseline.jobsPerSecond,
        notes: `jobs/s ${figure.jobsPerSecond.toFixed(0)} with two workers vs ${baseline.jobsPerSecond.toFixed(0)} with one (ratio ${(figure.jobsPerSecond / baseline.jobsPerSecond).toFixed(2)}); ${claimed.length} claims, ${doubleClaims} double claims; ${jobIds.length} jobs, ${twice} processed twice, ${missing} not completed`,
        command: `autocannon -a ${claimsPerRound} POST /api/v1/officer/queue/claim-next (-c 50 on one API, or -c 25 on each of two); ${jobsPerRound} notify-case-event outbox rows per round drained by one or two workers, counted on BullMQ's event stream; ${ctx.rounds} alternating rounds`,
      };
    } finally {
      await secondWorker?.stop();
      await secondApi.stop();
      await events.close();
    }
  },
};
