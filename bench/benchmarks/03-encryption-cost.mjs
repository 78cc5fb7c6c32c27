// Personal-data encryption cost: the eVisa draft + submission sequence (lib/evisa-flow.mjs) on an
// API process as deployed, which seals every personal answer with AES-256-GCM (FieldCipher), against a second API
// process started by bench/servers/api-plaintext.mjs, identical except that FieldCipher stores clear
// text. Both run on this machine against the same PostgreSQL, in alternating rounds.
import { submissionDriver } from '../lib/evisa-flow.mjs';

export default {
  id: 'encryption-cost',
  title: 'Personal-data encryption: submission with encryption on vs off',
  goal: { ratioAtLeast: 0.9 },
  async run(ctx) {
    // Two new processes, so neither carries the heap of the benchmarks before it.
    const encryptedApi = await ctx.startApi('api-encrypted');
    const plaintextApi = await ctx.startApi('api-plaintext', {}, { script: 'bench/servers/api-plaintext.mjs' });
    try {
      const encrypted = submissionDriver(ctx);
      const plaintext = submissionDriver(ctx, { plaintext: true });
      // Both warm up first (lazy code, their database pools), untimed.
      await encrypted.run(encryptedApi.url, { durationSeconds: Math.min(2, ctx.duration) });
      await plaintext.run(plaintextApi.url, { durationSeconds: Math.min(2, ctx.duration) });
      // The worker cannot open the clear-text process's cases (it seals and opens as deployed), so their
      // notifications fail at once while the encrypted ones are rendered and mailed: measured with the
      // worker running, the clear-text side would win by the worker's share of the cores. Each round
      // runs with the queues paused, and the worker works off its backlog before the next round.
      const isolated = (run) => async () => {
        const result = await ctx.withQueuesPaused(run);
        await ctx.untilIdle();
        return result;
      };
      const { figure, baseline } = await ctx.alternate(
        isolated(() => encrypted.run(encryptedApi.url)),
        isolated(() => plaintext.run(plaintextApi.url)),
      );
      return {
        figure: { label: 'req/s, encryption on', value: figure.rps, ...figure },
        baseline: { label: 'req/s, encryption off', value: baseline.rps, ...baseline },
        command: `autocannon -c ${ctx.connections} -d ${ctx.duration} (POST /api/v1/evisa/drafts + POST /api/v1/evisa/draft/submit) against the API and against bench/servers/api-plaintext.mjs; ${ctx.rounds} alternating rounds`,
      };
    } finally {
      await encryptedApi.stop();
      await plaintextApi.stop();
    }
  },
};
