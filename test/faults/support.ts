import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CaseSpine } from '@app/cases';
import { EvisaOfficerActions } from '@app/evisa';
import { officerAt } from '../harness/officers.js';
import { applicantAnswers, matchingMrz, multipart, photoWithExif, pngPage } from '../evisa/helpers.js';
import { machineOf } from '../harness/catalogue.js';

/** The Manila officer who approves in these tests (the lead's claim, then the decision). */
export const MANILA_OFFICER = officerAt('PH-MNL');

export async function caseRow(dataSource: DataSource, caseId: string): Promise<{ status: string; version: number }> {
  return (
    (await dataSource.query(`SELECT status, version FROM "case" WHERE id = $1`, [caseId])) as { status: string; version: number }[]
  )[0]!;
}

export async function count(dataSource: DataSource, sql: string, params: unknown[]): Promise<number> {
  return Number(((await dataSource.query(sql, params)) as { n: string | number }[])[0]!.n);
}

/** Claims a submitted eVisa (SUBMITTED → IN_REVIEW) and approves it, as an officer at PH-MNL would. */
export async function approve(app: NestFastifyApplication, dataSource: DataSource, caseId: string): Promise<void> {
  const spine = app.get(CaseSpine);
  const { version } = await caseRow(dataSource, caseId);
  const { case: claimed } = await dataSource.transaction((m) =>
    spine.transition(m, {
      machine: machineOf('evisa'),
      caseId,
      expectedVersion: version,
      to: 'IN_REVIEW',
      actor: { type: 'officer', id: MANILA_OFFICER.id },
      visibility: 'internal',
      set: { assignedOfficerId: MANILA_OFFICER.id, claimExpiresAt: new Date(Date.now() + 3600_000) },
    }),
  );
  await dataSource.transaction((m) => app.get(EvisaOfficerActions).approve(m, caseId, claimed.version, MANILA_OFFICER));
}

/**
 * An applicant over real HTTP (fetch), as a JSON API client: no cookies, so no CSRF token; the
 * draft is addressed by its token in X-Draft-Token.
 */
export class HttpApplicant {
  constructor(private readonly baseUrl: string) {}

  async call(method: string, url: string, options: { json?: unknown; headers?: Record<string, string>; body?: Buffer } = {}) {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | Buffer | undefined = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${this.baseUrl}${url}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  }

  private async expectOk(method: string, url: string, options: Parameters<HttpApplicant['call']>[2], status: number) {
    const response = await this.call(method, url, options);
    if (response.status !== status) throw new Error(`${method} ${url}: expected ${status}, got ${response.status}: ${response.text}`);
    return response;
  }

  /** Opens a draft, answers every step, uploads both files and pays: ready to submit. */
  async paidDraft(): Promise<{ token: string; caseId: string; reference: string }> {
    const answers = applicantAnswers();
    const opened = (await this.expectOk('POST', '/api/v1/evisa/drafts', { json: answers.eligibility }, 201)).json();
    const token = opened.draftToken as string;
    const draft = { 'x-draft-token': token };
    const steps: Record<string, Record<string, string>> = {
      name: answers.name,
      personal: answers.personal,
      passport: answers.passport,
      contact: answers.contact,
      travel: answers.travel,
      stay: answers.stay,
      mrz: matchingMrz(),
    };
    for (const [step, json] of Object.entries(steps)) {
      await this.expectOk('PUT', `/api/v1/evisa/draft/answers/${step}`, { json, headers: draft }, 200);
    }
    const photo = multipart([{ name: 'file', filename: 'me.jpg', contentType: 'image/jpeg', data: await photoWithExif() }]);
    await this.expectOk('POST', '/api/v1/evisa/draft/files/photo', { body: photo.payload, headers: { ...photo.headers, ...draft } }, 201);
    const page = multipart([{ name: 'file', filename: 'passport.png', contentType: 'image/png', data: await pngPage() }]);
    await this.expectOk(
      'POST',
      '/api/v1/evisa/draft/files/passport-page',
      { body: page.payload, headers: { ...page.headers, ...draft } },
      201,
    );
    const payment = (
      await this.expectOk('POST', '/api/v1/evisa/draft/payments', { headers: { ...draft, 'idempotency-key': `pay-${randomUUID()}` } }, 201)
    ).json();
    await this.expectOk(
      'POST',
      `/api/v1/evisa/sandbox/payments/${payment.providerReference as string}/card`,
      { json: { cardNumber: '4242 4242 4242 4242' } },
      200,
    );
    return { token, caseId: opened.caseId as string, reference: opened.reference as string };
  }

  submit(token: string, idempotencyKey: string) {
    return this.call('POST', '/api/v1/evisa/draft/submit', { headers: { 'x-draft-token': token, 'idempotency-key': idempotencyKey } });
  }
}
