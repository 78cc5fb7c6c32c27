// Framework overhead: a Nest route that returns a constant, against bare Fastify serving the same
// response. The two alternate over several rounds and the median of each counts, so a burst of
// other load on this shared machine hits both sides alike.
export default {
  id: 'framework-overhead',
  title: 'Framework overhead: constant route, Nest vs bare Fastify',
  goal: { ratioAtLeast: 0.75 },
  async run(ctx) {
    const bare = await ctx.startServer('bench/servers/bare-fastify.mjs');
    try {
      // Both servers warm up first (JIT, lazily loaded code), untimed.
      await ctx.http({ url: `${ctx.apiUrl}/health/live`, durationSeconds: 1 });
      await ctx.http({ url: `${bare.url}/health/live`, durationSeconds: 1 });
      const { figure, baseline } = await ctx.alternate(
        () => ctx.http({ url: `${ctx.apiUrl}/health/live` }),
        () => ctx.http({ url: `${bare.url}/health/live` }),
      );
      return {
        figure: { label: 'Nest (API process) req/s', value: figure.rps, ...figure },
        baseline: { label: 'bare Fastify req/s', value: baseline.rps, ...baseline },
        command: `autocannon -c ${ctx.connections} -d ${ctx.duration} ${ctx.apiUrl}/health/live, alternating ${ctx.rounds} rounds with bench/servers/bare-fastify.mjs`,
      };
    } finally {
      await bare.stop();
    }
  },
};
