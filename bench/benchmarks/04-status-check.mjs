// The applicant's status check, POST /api/v1/status { reference, surname, dateOfBirth }, against
// PostgreSQL's select-only limit (pgbench -S). Each request comes from its own client address
// (X-Forwarded-For, which the API trusts behind its load balancer in production), so the per-IP
// limit does not turn the run into 429s; references rotate over 5,000 submitted cases, so none
// reaches the per-reference limit. Then the same at half the peak rate as an open-loop load (requests
// sent on a steady schedule), where p95 must be < 20 ms.
// The endpoint comes with the notifications branch: until it is merged, the row says so.
import { LOOKUP_DETAILS, submittedReferences } from '../lib/evisa-flow.mjs';

const CASES = 5_000;

export function clientAddress(n) {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export default {
  id: 'status-check',
  title: 'Status check (POST /api/v1/status) vs pgbench -S',
  goal: { ratioAtLeast: 0.25, p95Below: 20 },
  async run(ctx) {
    // An unknown reference: the status check answers 400 or 404 STATUS_NOT_FOUND; a missing route, 404 NOT_FOUND.
    const probe = await fetch(`${ctx.apiUrl}/api/v1/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': clientAddress(1) },
      body: JSON.stringify({ reference: 'EV-0000-0000', surname: 'Nobody', dateOfBirth: '1900-01-01' }),
    });
    const probeCode = (await probe.json().catch(() => ({})))?.error?.code;
    if (probe.status === 404 && probeCode !== 'STATUS_NOT_FOUND') {
      throw new Error('endpoint not available: POST /api/v1/status answers 404 (the status check comes with the notifications branch)');
    }
    const references = await submittedReferences(ctx, ctx.quick ? 500 : CASES);
    const { surname, dateOfBirth } = LOOKUP_DETAILS;
    const known = await fetch(`${ctx.apiUrl}/api/v1/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': clientAddress(0) },
      body: JSON.stringify({ reference: references[0], surname, dateOfBirth }),
    });
    if (known.status !== 200) throw new Error(`the status check of a known case answered ${known.status}: ${await known.text()}`);

    let n = 2;
    const requests = [
      {
        method: 'POST',
        path: '/api/v1/status',
        setupRequest: (request) => {
          const i = n++;
          return {
            ...request,
            headers: { 'content-type': 'application/json', 'x-forwarded-for': clientAddress(i) },
            body: JSON.stringify({ reference: references[i % references.length], surname, dateOfBirth }),
          };
        },
      },
    ];
    const checked = async (options) => {
      const result = await ctx.http({ url: ctx.apiUrl, requests, ...options });
      if (result.non2xx > 0) throw new Error(`${result.non2xx} look-ups were not 200: ${JSON.stringify(result.statusCodes)}`);
      return result;
    };
    ctx.pgbench({ builtin: 'select-only', init: true, clients: 1, durationSeconds: 1 });
    const { figure, baseline } = await ctx.alternate(
      () => checked({}),
      () => ctx.pgbench({ builtin: 'select-only', clients: 20 }),
    );
    const halfRate = Math.max(1, Math.floor(figure.rps / 2));
    const half = await ctx.paced({
      url: ctx.apiUrl,
      rate: halfRate,
      next: (i) => ({
        method: 'POST',
        path: '/api/v1/status',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': clientAddress(n + i) },
        body: JSON.stringify({ reference: references[(n + i) % references.length], surname, dateOfBirth }),
      }),
    });
    if (half.non2xx > 0 || half.errors > 0)
      throw new Error(`at half of peak ${half.non2xx} look-ups were not 200 and ${half.errors} failed`);
    return {
      figure: { label: 'look-ups/s', value: figure.rps, ...figure },
      baseline: { label: 'pgbench -S tps', value: baseline.tps, ...baseline },
      p95AtHalfPeak: half.p95,
      notes: `p95 at half of peak (${halfRate} req/s, open loop): ${half.p95} ms (p50 ${half.p50}, p99 ${half.p99})`,
      command: `autocannon -c ${ctx.connections} -d ${ctx.duration} POST /api/v1/status (a new X-Forwarded-For per request, ${references.length} references), then an open-loop load of ${halfRate} req/s (bench/lib/measure.mjs paced); baseline ${baseline.command}; ${ctx.rounds} alternating rounds`,
    };
  },
};
