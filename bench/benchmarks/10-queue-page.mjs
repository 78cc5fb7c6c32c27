// The officers' queue page, GET /api/v1/officer/queue (25 cases a page, keyset cursor), for an
// officer whose post has 10,000 waiting cases and for one whose post has 1,000,000, in alternating
// rounds; the ratio is their p95s. Requests cycle over the first page and pages 5, 10 and 20, reached
// with the cursors the API returned. The cases are inserted in bulk (INSERT … SELECT generate_series,
// then ANALYZE), so the table holds both queues throughout.
const SMALL_POST = 'ID-JKT';
const LARGE_POST = 'IN-DEL';

async function pagePaths(ctx, token) {
  const paths = ['/api/v1/officer/queue?limit=25'];
  let after = null;
  for (let page = 2; page <= 20; page++) {
    const response = await fetch(`${ctx.apiUrl}/api/v1/officer/queue?limit=25${after ? `&after=${after}` : ''}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status !== 200) throw new Error(`the queue answered ${response.status}: ${await response.text()}`);
    after = (await response.json()).nextCursor;
    if ([5, 10, 20].includes(page)) paths.push(`/api/v1/officer/queue?limit=25&after=${after}`);
  }
  return paths;
}

async function queued(ctx, postCode) {
  const [{ n }] = await ctx.sql(`SELECT count(*)::int AS n FROM "case" WHERE post_code = $1`, [postCode]);
  return n;
}

export default {
  id: 'queue-page',
  title: 'Queue page: 1,000,000 waiting cases vs 10,000 (p95)',
  goal: { ratioAtMost: 1.5 },
  async run(ctx) {
    const fixtures = await ctx.fixtures();
    const small = 10_000;
    const large = ctx.quick ? 50_000 : 1_000_000;
    const inserted = Date.now();
    for (const [postCode, count] of [
      [SMALL_POST, small],
      [LARGE_POST, large],
    ]) {
      const missing = count - (await queued(ctx, postCode));
      if (missing > 0) await fixtures.bulkCases(missing, { postCodes: [postCode] });
    }
    const insertSeconds = Math.round((Date.now() - inserted) / 1000);
    const [smallOfficer] = await fixtures.officersWithTokens(1, { postCode: SMALL_POST });
    const [largeOfficer] = await fixtures.officersWithTokens(1, { postCode: LARGE_POST });
    const run = async (officer) => {
      const paths = await pagePaths(ctx, officer.token);
      let next = 0;
      const result = await ctx.http({
        url: ctx.apiUrl,
        connections: 10,
        requests: [
          {
            method: 'GET',
            setupRequest: (request) => ({
              ...request,
              path: paths[next++ % paths.length],
              headers: { ...request.headers, authorization: `Bearer ${officer.token}` },
            }),
          },
        ],
      });
      if (result.non2xx > 0) throw new Error(`${result.non2xx} pages were not 200: ${JSON.stringify(result.statusCodes)}`);
      return { ...result, value: result.p95 };
    };
    const { figure, baseline } = await ctx.alternate(
      () => run(largeOfficer),
      () => run(smallOfficer),
      { by: 'p95' },
    );
    return {
      figure: { label: `p95 ms, ${large.toLocaleString('en')} cases (${figure.rps.toFixed(0)} pages/s)`, ...figure },
      baseline: { label: `p95 ms, ${small.toLocaleString('en')} cases (${baseline.rps.toFixed(0)} pages/s)`, ...baseline },
      notes: `bulk insert of the cases took ${insertSeconds} s`,
      command: `autocannon -c 10 -d ${ctx.duration} GET /api/v1/officer/queue?limit=25 (first page and the cursors of pages 5, 10, 20) for an officer of ${LARGE_POST} (${large} cases) and of ${SMALL_POST} (${small}); ${ctx.rounds} alternating rounds, median by p95`,
    };
  },
};
