// The measured eVisa sequence, shared by the submission and encryption benchmarks. Each autocannon
// connection alternates two requests, each one transaction in the API:
//   1. POST /api/v1/evisa/drafts — eligibility validation, case + opening event + sealed answers;
//   2. POST /api/v1/evisa/draft/submit (X-Draft-Token, Idempotency-Key) of a complete, paid draft
//      prepared beforehand — every answer opened and validated, the MRZ cross-checked, the
//      applicant's contact sealed, DRAFT → SUBMITTED with its hash-chained event and the
//      notification's outbox row.
// Throughput is in requests (transactions) per second; the drafts to submit are prepared before
// each round and are not timed.

export const ELIGIBILITY = { nationality: 'PHL', purpose: 'tourism', passportType: 'ordinary' };

/** Keeps a stock of prepared drafts for one API (encrypted or clear-text) and runs the measured sequence. */
export function submissionDriver(ctx, { plaintext = false } = {}) {
  const stock = [];
  let used = 0;
  let counter = 0;
  let perRound = ctx.quick ? 600 : 1500;

  async function topUp(target) {
    if (stock.length >= target) return;
    const fixtures = await ctx.fixtures();
    stock.push(...(await fixtures.completeDrafts(target - stock.length, { plaintext })));
  }

  const newDraft = {
    method: 'POST',
    path: '/api/v1/evisa/drafts',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ELIGIBILITY),
  };
  const submission = { method: 'POST', path: '/api/v1/evisa/draft/submit' };
  const submissionHeaders = () => {
    const token = stock.pop();
    if (token) used++;
    return { 'x-draft-token': token ?? 'exhausted', 'idempotency-key': `bench-submit-${process.pid}-${counter++}` };
  };

  function requests() {
    return [
      newDraft,
      { ...submission, setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...submissionHeaders() } }) },
    ];
  }

  const checkedRound = (result) => {
    // The next round gets half again what this one used, so the stock never runs dry.
    perRound = Math.max(perRound, Math.ceil(used * 1.5));
    if (stock.length === 0) throw new Error('the prepared drafts ran out during the round');
    if (result.non2xx > 0) throw new Error(`${result.non2xx} responses were not 2xx: ${JSON.stringify(result.statusCodes)}`);
    return result;
  };

  return {
    /** One measured round against `url`, flat out with every connection (for `durationSeconds`, else the run's). */
    async run(url, { durationSeconds } = {}) {
      await topUp(perRound);
      used = 0;
      return checkedRound(await ctx.http({ url, requests: requests(), ...(durationSeconds ? { durationSeconds } : {}) }));
    },
    /** The same sequence as an open-loop load at `rate` requests a second (see measure.mjs `paced`). */
    async runAt(url, rate) {
      await topUp(Math.max(perRound, Math.ceil(rate * ctx.duration)));
      used = 0;
      return checkedRound(
        await ctx.paced({ url, rate, next: (i) => (i % 2 === 0 ? newDraft : { ...submission, headers: submissionHeaders() }) }),
      );
    },
  };
}

/**
 * References of `count` submitted eVisa cases (surname Dela Cruz, born 1990-04-27): those earlier
 * benchmarks submitted, topped up by submitting prepared drafts through the API.
 */
export async function submittedReferences(ctx, count) {
  const existing = async () =>
    (
      await ctx.sql(`SELECT reference FROM "case" WHERE service = 'evisa' AND status = 'SUBMITTED' AND lookup_key IS NOT NULL LIMIT $1`, [
        count,
      ])
    ).map((r) => r.reference);
  const have = await existing();
  if (have.length < count) {
    const fixtures = await ctx.fixtures();
    const drafts = await fixtures.completeDrafts(count - have.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < drafts.length) {
          const token = drafts[next++];
          const response = await fetch(`${ctx.apiUrl}/api/v1/evisa/draft/submit`, {
            method: 'POST',
            headers: { 'x-draft-token': token, 'idempotency-key': `bench-prepare-${next}-${Date.now()}` },
          });
          if (response.status !== 200) throw new Error(`preparing a submitted case failed: ${response.status} ${await response.text()}`);
        }
      }),
    );
  }
  return existing();
}

export const LOOKUP_DETAILS = { surname: 'Dela Cruz', dateOfBirth: '1990-04-27' };
