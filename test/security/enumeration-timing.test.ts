import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { generateReference } from '@app/cases';
import { ApplicationCipher, EvisaOfficerActions } from '@app/evisa';
import { BlindIndex, RateLimiter, REDIS } from '@app/platform';
import { statusLookupKeys } from '@app/status';
import type { Redis } from 'ioredis';
import { startTestStack, type TestStack } from '../harness/app.js';
import { createAccessToken, createTestOfficer, fastifyOf } from '../harness/identity.js';
import { injector, submitted } from '../legalisation/helpers.js';
import { browserInjector, submittedApplication } from '../evisa/helpers.js';
import { approve, caseRow } from '../faults/support.js';

const ROUNDS = 80;
const WARM_UP = 10;
/** Generous: the two medians may differ by half again before the test calls it a difference. */
const TOLERANCE = 1.5;

/** What a refusal says: status, code and message (the correlation id differs every time). */
const errorOf = (response: LightMyRequestResponse) => {
  const { code, message } = (response.json() as { error: { code: string; message: string } }).error;
  return [response.statusCode, code, message];
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/**
 * Enumeration by timing: an unknown reference and a known one with wrong details must take
 * indistinguishable time (and give the same answer), or a stopwatch tells which references and
 * visa numbers exist. The two kinds of request are interleaved in random order, so load on the
 * machine weighs on both alike, and their medians are compared with a generous tolerance; no
 * absolute time is asserted. (Speed itself is measured in bench/, not here.)
 */
describe('enumeration timing', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let reference: string;
  let visaNumber: string;
  let address = 0;

  beforeAll(async () => {
    stack = await startTestStack();
    app = stack.api;
    const dataSource = app.get(DataSource);
    const submitted = await submittedApplication(await browserInjector(app));
    reference = submitted.reference;
    await approve(app, dataSource, submitted.caseId);
    const { version } = await caseRow(dataSource, submitted.caseId);
    await dataSource.transaction((m) => app.get(EvisaOfficerActions).markIssued(m, submitted.caseId, version));
    visaNumber = (
      (await dataSource.query(`SELECT visa_number FROM evisa_application WHERE case_id = $1`, [submitted.caseId])) as {
        visa_number: string;
      }[]
    )[0]!.visa_number;
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** A new client address per request, so the per-IP limits never answer instead of the look-up. */
  const nextAddress = () => `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address++ & 255}`;

  async function timed(request: () => InjectOptions): Promise<{ ms: number; response: LightMyRequestResponse }> {
    const options = request();
    const started = performance.now();
    const response = await fastifyOf(app).inject(options);
    return { ms: performance.now() - started, response };
  }

  /** Runs both kinds interleaved (random order in each round) and returns their timings and last answers. */
  async function race(before: () => Promise<void>, a: () => InjectOptions, b: () => InjectOptions) {
    const times = { a: [] as number[], b: [] as number[] };
    const answers: { a?: LightMyRequestResponse; b?: LightMyRequestResponse } = {};
    for (let round = 0; round < WARM_UP + ROUNDS; round++) {
      for (const which of Math.random() < 0.5 ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
        await before();
        const { ms, response } = await timed(which === 'a' ? a : b);
        answers[which] = response;
        if (round >= WARM_UP) times[which].push(ms);
      }
    }
    return { medians: { a: median(times.a), b: median(times.b) }, answers: answers as Required<typeof answers> };
  }

  const indistinguishable = (medians: { a: number; b: number }) => Math.max(medians.a, medians.b) / Math.min(medians.a, medians.b);

  it('the eVisa register: an unknown visa number and a wrong passport number', async () => {
    const lookup = (body: Record<string, string>) => () => ({
      method: 'POST' as const,
      url: '/api/v1/verify/evisa',
      remoteAddress: nextAddress(),
      payload: body,
    });
    const { medians, answers } = await race(
      async () => undefined,
      lookup({ visaNumber: 'EV9999998', passportNumber: 'P1234567A' }),
      lookup({ visaNumber, passportNumber: 'X7654321B' }),
    );
    expect([answers.a.statusCode, answers.a.body]).toEqual([200, '{"result":"not_found"}']);
    expect([answers.b.statusCode, answers.b.body]).toEqual([200, answers.a.body]);
    expect(indistinguishable(medians)).toBeLessThan(TOLERANCE);
  });

  it("the applicant's access: an unknown reference and a known one with the wrong surname", async () => {
    const unknown = generateReference('EV');
    const limiter = app.get(RateLimiter);
    const cipher = app.get(ApplicationCipher);
    // The per-reference limit (10 an hour) would answer 429 long before the last round: start each attempt afresh.
    const resetLimits = async () => {
      for (const ref of [reference, unknown]) await limiter.reset(`evisa-access:ref:${cipher.rateLimitKey(ref)}`);
    };
    const access = (ref: string, surname: string) => () => ({
      method: 'POST' as const,
      url: '/api/v1/evisa/applications/access',
      remoteAddress: nextAddress(),
      payload: { reference: ref, surname, dateOfBirth: '1990-04-27' },
    });
    const { medians, answers } = await race(resetLimits, access(unknown, 'Dela Cruz'), access(reference, 'Santos'));
    expect(errorOf(answers.a)).toEqual([404, 'APPLICATION_NOT_FOUND', expect.any(String)]);
    expect(errorOf(answers.b)).toEqual(errorOf(answers.a));
    expect(indistinguishable(medians)).toBeLessThan(TOLERANCE);
  });

  it('the status check: an unknown reference and a known one with the wrong surname', async () => {
    const unknown = generateReference('EV');
    const limiter = app.get(RateLimiter);
    const redis = app.get<Redis>(REDIS);
    // Ten failures lock a reference for an hour, and the per-reference limit answers 429 after 30: start afresh each time.
    const resetLimits = async () => {
      for (const ref of [reference, unknown]) {
        const keys = statusLookupKeys(app.get(BlindIndex), ref);
        await Promise.all([limiter.reset(keys.lookups), limiter.reset(keys.failures), redis.del(keys.lock)]);
      }
    };
    const check = (ref: string, surname: string) => () => ({
      method: 'POST' as const,
      url: '/api/v1/status',
      remoteAddress: nextAddress(),
      payload: { reference: ref, surname, dateOfBirth: '1990-04-27' },
    });
    const { medians, answers } = await race(resetLimits, check(unknown, 'Dela Cruz'), check(reference, 'Santos'));
    expect(errorOf(answers.a)).toEqual([404, 'STATUS_NOT_FOUND', expect.any(String)]);
    expect(errorOf(answers.b)).toEqual(errorOf(answers.a));
    expect(indistinguishable(medians)).toBeLessThan(TOLERANCE);
  });

  it('the authentication register: an unknown certificate number and a wrong issue date', async () => {
    const request = await submitted(injector(app), 'US-LAX');
    const officer = await createTestOfficer(app, { postCode: 'US-LAX' });
    const headers = { authorization: `Bearer ${await createAccessToken(app, officer.authenticated)}` };
    expect((await fastifyOf(app).inject({ method: 'POST', url: '/api/v1/officer/queue/claim-next', headers })).statusCode).toBe(200);
    const [{ version }] = (await app.get(DataSource).query(`SELECT version FROM "case" WHERE id = $1`, [request.caseId])) as {
      version: number;
    }[];
    const approval = await fastifyOf(app).inject({
      method: 'POST',
      url: `/api/v1/officer/cases/${request.caseId}/actions`,
      headers,
      payload: { action: 'approve', expectedVersion: version },
    });
    expect(approval.statusCode).toBe(200);
    const [certificate] = (await app
      .get(DataSource)
      .query(`SELECT certificate_number, authenticated_on::text AS issued_on FROM legalisation_request WHERE case_id = $1`, [
        request.caseId,
      ])) as { certificate_number: string; issued_on: string }[];
    const lookup = (body: Record<string, string>) => () => ({
      method: 'POST' as const,
      url: '/api/v1/verify/authentication',
      remoteAddress: nextAddress(),
      payload: body,
    });
    const found = await fastifyOf(app).inject(
      lookup({ certificateNumber: certificate!.certificate_number, issuedOn: certificate!.issued_on })(),
    );
    expect(found.json()).toMatchObject({ result: 'valid' });
    const { medians, answers } = await race(
      async () => undefined,
      lookup({ certificateNumber: 'TWA-2001-999999', issuedOn: certificate!.issued_on }),
      lookup({ certificateNumber: certificate!.certificate_number, issuedOn: '2001-01-02' }),
    );
    expect([answers.a.statusCode, answers.a.body]).toEqual([200, '{"result":"not_found"}']);
    expect([answers.b.statusCode, answers.b.body]).toEqual([200, answers.a.body]);
    expect(indistinguishable(medians)).toBeLessThan(TOLERANCE);
  });
});
