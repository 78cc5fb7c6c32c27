// Officer claim-next: 50 officers, each with its own access token, POST /api/v1/officer/queue/claim-next
// at once (the claim, and SUBMITTED → IN_REVIEW with its event and outbox row, in one transaction),
// against the raw limit of the claim itself: the same single UPDATE … FOR UPDATE SKIP LOCKED statement
// run by pgbench with 50 clients. Every claimed case id is collected: none may come back twice.
const APP_POST = 'JP-TYO';
const RAW_POST = 'AU-CBR';

/** The claim statement of ReviewQueueService.claimNext, with the officer and the time filled in as pgbench needs. */
export function claimStatement(queueStatuses, postCode) {
  const statuses = `'{${queueStatuses.join(',')}}'`;
  const candidate = `SELECT q.id, q.priority, COALESCE(q.sla_due_at, 'infinity'::timestamptz) AS due FROM "case" q
                      WHERE q.status = ANY(${statuses}) AND q.post_code = '${postCode}'`;
  const queueOrder = `ORDER BY q.priority, COALESCE(q.sla_due_at, 'infinity'::timestamptz), q.id LIMIT 1 FOR UPDATE SKIP LOCKED`;
  return (
    `WITH free AS (${candidate} AND q.assigned_officer_id IS NULL ${queueOrder}),
      lapsed AS (${candidate} AND q.assigned_officer_id IS NOT NULL AND q.claim_expires_at <= now() ${queueOrder})
UPDATE "case" c
   SET assigned_officer_id = gen_random_uuid(), claim_expires_at = now() + interval '15 minutes', version = c.version + 1, updated_at = now()
 WHERE (c.assigned_officer_id IS NULL OR c.claim_expires_at <= now())
   AND c.id = (SELECT id FROM (SELECT * FROM free UNION ALL SELECT * FROM lapsed) candidates ORDER BY priority, due, id LIMIT 1)
 RETURNING c.*;
`.replace(/\n\s*/g, ' ') + '\n'
  );
}

/** Autocannon requests that claim with one officer token per connection and record every claimed id. */
export function claimRequests(officers, claimed) {
  let next = 0;
  return [
    {
      method: 'POST',
      path: '/api/v1/officer/queue/claim-next',
      setupRequest: (request, context) => {
        context.token ??= officers[next++ % officers.length].token;
        return { ...request, headers: { ...request.headers, authorization: `Bearer ${context.token}` } };
      },
      onResponse: (status, body) => {
        if (status !== 200) return;
        const id = JSON.parse(body).case?.id;
        claimed.push(id ?? null);
      },
    },
  ];
}

export function duplicatesIn(ids) {
  const seen = new Set();
  let duplicates = 0;
  for (const id of ids) {
    if (id && seen.has(id)) duplicates++;
    if (id) seen.add(id);
  }
  return duplicates;
}

/** Stands in for the officers' decisions between rounds: the claimed cases leave the queue, so each round starts with no claim held. */
async function decideClaimed(ctx, postCode) {
  await ctx.sql(
    `UPDATE "case" SET status = 'REFUSED', decided_at = now(), claim_expires_at = NULL WHERE post_code = $1 AND assigned_officer_id IS NOT NULL AND status IN ('SUBMITTED', 'IN_REVIEW')`,
    [postCode],
  );
}

export default {
  id: 'claim-next',
  title: 'Officer claim-next (50 concurrent) vs raw UPDATE … SKIP LOCKED (pgbench)',
  goal: { ratioAtLeast: 0.25 },
  async run(ctx) {
    const fixtures = await ctx.fixtures();
    const { ServiceCatalogue } = await import('../../dist/libs/cases/src/index.js');
    const { SERVICE_CATALOGUE } = await import('../../dist/libs/catalogue/src/index.js');
    const queueStatuses = new ServiceCatalogue(SERVICE_CATALOGUE, []).queueStatuses();
    // Each round, both sides claim the same number of cases from a queue with no claim held, so both
    // start from the same state.
    const perRound = ctx.quick ? 500 : 2_000;
    const officers = await fixtures.officersWithTokens(ctx.connections, { postCode: APP_POST });
    await fixtures.bulkCases(perRound * ctx.rounds + 2_000, { postCodes: [APP_POST] });
    await fixtures.bulkCases(perRound * ctx.rounds + 2_000, { postCodes: [RAW_POST] });
    const script = claimStatement(queueStatuses, RAW_POST);
    const claimed = [];
    const { figure, baseline } = await ctx.alternate(
      async () => {
        const result = await ctx.http({ url: ctx.apiUrl, requests: claimRequests(officers, claimed), amount: perRound });
        if (result.non2xx > 0) throw new Error(`${result.non2xx} claims were not 200: ${JSON.stringify(result.statusCodes)}`);
        await decideClaimed(ctx, APP_POST);
        return result;
      },
      async () => {
        const result = ctx.pgbench({ script, clients: ctx.connections, transactions: Math.ceil(perRound / ctx.connections) });
        const [{ claims }] = await ctx.sql(
          `SELECT count(*)::int AS claims FROM "case" WHERE post_code = $1 AND claim_expires_at IS NOT NULL`,
          [RAW_POST],
        );
        if (claims < perRound) throw new Error(`the raw claims found only ${claims} cases: the queue ran dry`);
        await decideClaimed(ctx, RAW_POST);
        return result;
      },
    );
    if (claimed.includes(null)) throw new Error('the application queue ran dry during a round');
    const duplicates = duplicatesIn(claimed);
    return {
      figure: { label: 'claims/s through the API', value: figure.rps, ...figure },
      baseline: { label: 'raw claim statement tps (pgbench)', value: baseline.tps, ...baseline },
      met: duplicates === 0,
      duplicates,
      notes: `${claimed.length} claims by ${officers.length} officers at once (${perRound} a round on each side), ${duplicates} double claims`,
      command: `autocannon -c ${ctx.connections} -a ${perRound} POST /api/v1/officer/queue/claim-next (one officer token per connection); baseline ${baseline.command} (script.sql: the claim statement of claimNext); ${ctx.rounds} alternating rounds`,
    };
  },
};
