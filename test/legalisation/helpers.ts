import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { DataSource } from 'typeorm';
import { type SlotDay } from '@app/legalisation';

export type Inject = (options: InjectOptions) => Promise<LightMyRequestResponse>;

export function injector(app: NestFastifyApplication): Inject {
  return (options) => app.getHttpAdapter().getInstance().inject(options);
}

let address = 0;
/** A fresh client address, so that per-IP limits of one test do not reach another. */
export const freshIp = (): string => `198.51.100.${(++address % 250) + 1}`;

export function requestBody(postCode: string, slotId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    applicant: {
      givenNames: 'Mei-Ling',
      surname: 'Chen',
      dateOfBirth: '1988-03-14',
      email: 'mei-ling.chen@example.test',
      phone: '+1 213 555 0100',
      locale: 'en',
    },
    items: [
      {
        documentType: 'birth_certificate',
        issuingCountry: 'United States',
        originals: 2,
        extraCopies: 1,
        description: 'Birth certificate of Mei-Ling Chen, 1988',
      },
      {
        documentType: 'diploma',
        issuingCountry: 'United States',
        originals: 1,
        extraCopies: 0,
        description: 'Bachelor diploma, UCLA 2010',
      },
    ],
    direction: 'foreign_document_for_use_at_home',
    serviceLevel: 'regular',
    delivery: 'pickup_at_post',
    postCode,
    slotId,
    ...overrides,
  };
}

export async function freeSlots(inject: Inject, postCode: string): Promise<SlotDay[]> {
  const response = await inject({ method: 'GET', url: `/api/v1/legalisation/posts/${postCode}/slots` });
  if (response.statusCode !== 200) throw new Error(`slots: ${response.statusCode} ${response.body}`);
  return (JSON.parse(response.body) as { days: SlotDay[] }).days;
}

export async function firstFreeSlot(inject: Inject, postCode: string): Promise<string> {
  return (await freeSlots(inject, postCode))[0]!.slots[0]!.id;
}

export async function submit(
  inject: Inject,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return inject({ method: 'POST', url: '/api/v1/legalisation/requests', payload: body, headers, remoteAddress: freshIp() });
}

export async function submitted(inject: Inject, postCode: string, overrides: Record<string, unknown> = {}) {
  const response = await submit(inject, requestBody(postCode, await firstFreeSlot(inject, postCode), overrides));
  if (response.statusCode !== 201) throw new Error(`submit: ${response.statusCode} ${response.body}`);
  return JSON.parse(response.body) as { caseId: string; reference: string; feeTwd: number; status: string };
}

/** Rows in every table a submission writes, to show that a refused one wrote nothing. */
export async function rowCounts(app: NestFastifyApplication): Promise<Record<string, number>> {
  const [row] = (await app.get(DataSource).query(
    `SELECT (SELECT count(*) FROM "case" WHERE service = 'legalisation')::int AS cases,
            (SELECT count(*) FROM case_event e JOIN "case" c ON c.id = e.case_id WHERE c.service = 'legalisation')::int AS events,
            (SELECT count(*) FROM legalisation_request)::int AS requests,
            (SELECT count(*) FROM legalisation_item)::int AS items,
            (SELECT coalesce(sum(booked), 0) FROM appointment_slot)::int AS booked`,
  )) as Record<string, number>[];
  return row!;
}
