import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { DataSource } from 'typeorm';

export type Inject = (options: InjectOptions) => Promise<LightMyRequestResponse>;

export function injector(app: NestFastifyApplication): Inject {
  return (options) => app.getHttpAdapter().getInstance().inject(options);
}

let address = 0;
/** A fresh client address, so that per-IP limits of one test do not reach another. */
export const freshIp = (): string => `203.0.113.${(++address % 250) + 1}`;

export function applicationBody(overrides: { applicant?: object; passport?: object; business?: object } = {}): Record<string, unknown> {
  return {
    applicant: {
      givenNames: 'Chia-Hao',
      surname: 'Lin',
      dateOfBirth: '1979-06-02',
      sex: 'M',
      email: 'chia-hao.lin@example.test',
      phone: '+886 2 2343 2888',
      locale: 'en',
      ...overrides.applicant,
    },
    passport: { nationality: 'TWN', passportNumber: '312345678', passportExpiry: '2034-05-31', ...overrides.passport },
    business: {
      companyName: 'Formosa Semiconductor Trading Co.',
      jobTitle: 'Regional sales director',
      businessReason: 'Quarterly visits to distributors in Japan, Korea and Singapore.',
      ...overrides.business,
    },
  };
}

export function submit(inject: Inject, body: Record<string, unknown>, headers: Record<string, string> = {}, remoteAddress = freshIp()) {
  return inject({ method: 'POST', url: '/api/v1/abtc/applications', payload: body, headers, remoteAddress });
}

export async function submitted(inject: Inject, overrides: Parameters<typeof applicationBody>[0] = {}) {
  const response = await submit(inject, applicationBody(overrides));
  if (response.statusCode !== 201) throw new Error(`submit: ${response.statusCode} ${response.body}`);
  return JSON.parse(response.body) as { caseId: string; reference: string; status: string; feeTwd: number };
}

/** Rows in every table a submission writes, to show that a refused one wrote nothing. */
export async function rowCounts(app: NestFastifyApplication): Promise<Record<string, number>> {
  const [row] = (await app.get(DataSource).query(
    `SELECT (SELECT count(*) FROM "case" WHERE service = 'abtc')::int AS cases,
            (SELECT count(*) FROM case_event e JOIN "case" c ON c.id = e.case_id WHERE c.service = 'abtc')::int AS events,
            (SELECT count(*) FROM abtc_application)::int AS applications`,
  )) as Record<string, number>[];
  return row!;
}
