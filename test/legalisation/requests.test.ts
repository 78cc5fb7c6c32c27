import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { addWorkingDays } from '@app/review';
import { type SubmitRequestDto, LegalisationService } from '@app/legalisation';
import { startTestStack, type TestStack } from '../harness/app.js';
import { firstFreeSlot, freeSlots, type Inject, injector, requestBody, rowCounts, submit } from './helpers.js';

describe('document authentication requests through the JSON API', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let inject: Inject;
  let dataSource: DataSource;

  beforeAll(async () => {
    stack = await startTestStack();
    app = stack.api;
    inject = injector(app);
    dataSource = stack.dataSource;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('lists free slots by local day at the post, and leaves full ones out', async () => {
    const days = await freeSlots(inject, 'US-LAX');
    expect(days.length).toBe(10);
    expect(days[0]!.slots.map((s) => s.localTime)).toEqual(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30']);
    const full = days[0]!.slots[1]!.id;
    await dataSource.query(`UPDATE appointment_slot SET booked = capacity WHERE id = $1`, [full]);
    const after = await freeSlots(inject, 'US-LAX');
    expect(after[0]!.slots.map((s) => s.id)).not.toContain(full);
    expect(after[0]!.slots).toHaveLength(5);

    const unknown = await inject({ method: 'GET', url: '/api/v1/legalisation/posts/XX-NOP/slots' });
    expect(unknown.statusCode).toBe(422);
    expect(JSON.parse(unknown.body).error.code).toBe('POST_NOT_OFFERING');
  });

  it('submits a request with its booking: SUBMITTED, fee from the published rates, SLA in working days', async () => {
    const slotId = await firstFreeSlot(inject, 'US-LAX');
    const before = await rowCounts(app);
    const response = await submit(inject, requestBody('US-LAX', slotId));
    expect(response.statusCode).toBe(201);
    const result = JSON.parse(response.body);
    expect(result).toMatchObject({ status: 'SUBMITTED', feeTwd: 3 * 400 + 1 * 200, postCode: 'US-LAX', appointment: { id: slotId } });
    expect(result.reference).toMatch(/^DA-/);
    const [row] = await dataSource.query(
      `SELECT c.status, c.sla_due_at, c.submitted_at, r.fee_twd, r.slot_id::text AS slot_id, r.mailing_address, s.booked
         FROM "case" c JOIN legalisation_request r ON r.case_id = c.id JOIN appointment_slot s ON s.id = r.slot_id WHERE c.id = $1`,
      [result.caseId],
    );
    expect(row).toMatchObject({ status: 'SUBMITTED', fee_twd: 1400, slot_id: slotId, mailing_address: null, booked: 1 });
    expect(row.sla_due_at.toISOString()).toBe(addWorkingDays(row.submitted_at, 2, 'America/Los_Angeles', 'US-LAX').toISOString());
    const items = await dataSource.query(
      `SELECT document_type, originals, extra_copies FROM legalisation_item WHERE case_id = $1 ORDER BY position`,
      [result.caseId],
    );
    expect(items).toEqual([
      { document_type: 'birth_certificate', originals: 2, extra_copies: 1 },
      { document_type: 'diploma', originals: 1, extra_copies: 0 },
    ]);
    // Descriptions name people ("birth certificate of Mei-Ling Chen"): sealed, and bound to their row.
    const sealed = (await dataSource.query(`SELECT description FROM legalisation_item WHERE case_id = $1 ORDER BY position`, [
      result.caseId,
    ])) as { description: string }[];
    expect(sealed.map((item) => item.description.startsWith('v1.') && !item.description.includes('Chen'))).toEqual([true, true]);
    const view = await app.get(LegalisationService).view(result.caseId);
    expect(view!.items.map((item) => item.description)).toEqual([
      'Birth certificate of Mei-Ling Chen, 1988',
      'Bachelor diploma, UCLA 2010',
    ]);
    const after = await rowCounts(app);
    expect(after).toEqual({
      ...before,
      cases: before.cases + 1,
      events: before.events + 1,
      requests: before.requests + 1,
      items: before.items + 2,
      booked: before.booked + 1,
    });
  });

  it('express by mail: the address is required, kept encrypted, and the SLA is one working day', async () => {
    const slotId = await firstFreeSlot(inject, 'US-LAX');
    const missing = await submit(inject, requestBody('US-LAX', slotId, { serviceLevel: 'express', delivery: 'mail' }));
    expect(missing.statusCode).toBe(400);
    expect(JSON.parse(missing.body).error.details.map((d: { field: string }) => d.field)).toEqual(['mailingAddress']);

    const address = '1234 Wilshire Blvd, Los Angeles, CA 90017';
    const response = await submit(
      inject,
      requestBody('US-LAX', slotId, { serviceLevel: 'express', delivery: 'mail', mailingAddress: address }),
    );
    expect(response.statusCode).toBe(201);
    const { caseId, feeTwd } = JSON.parse(response.body);
    expect(feeTwd).toBe(3 * 600 + 300);
    const [row] = await dataSource.query(
      `SELECT r.mailing_address, c.sla_due_at, c.submitted_at FROM legalisation_request r JOIN "case" c ON c.id = r.case_id WHERE case_id = $1`,
      [caseId],
    );
    expect(row.mailing_address).not.toContain('Wilshire');
    expect((await app.get(LegalisationService).view(caseId))!.mailingAddress).toBe(address);
    expect(row.sla_due_at.toISOString()).toBe(addWorkingDays(row.submitted_at, 1, 'America/Los_Angeles', 'US-LAX').toISOString());
  });

  it('refuses bad input field by field with 400 and writes nothing', async () => {
    const before = await rowCounts(app);
    const slotId = await firstFreeSlot(inject, 'US-LAX');
    const response = await submit(
      inject,
      requestBody('US-LAX', slotId, {
        applicant: { givenNames: '', surname: 'Chen', dateOfBirth: '2999-01-01', email: 'not-an-email', locale: 'fr' },
        items: [{ documentType: 'spaceship', issuingCountry: 'X', originals: 0, extraCopies: -1, description: 'x' }],
        direction: 'sideways',
      }),
    );
    expect(response.statusCode).toBe(400);
    const fields = JSON.parse(response.body).error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual([
      'applicant.givenNames',
      'applicant.dateOfBirth',
      'applicant.email',
      'applicant.locale',
      'items[0].documentType',
      'items[0].originals',
      'items[0].extraCopies',
      'direction',
    ]);
    const none = await submit(inject, requestBody('US-LAX', slotId, { items: [] }));
    expect(none.statusCode).toBe(400);
    expect(JSON.parse(none.body).error.details[0].field).toBe('items');
    expect(await rowCounts(app)).toEqual(before);
  });

  it('a full slot, or one at another post, is refused with 409 and nothing is written', async () => {
    const days = await freeSlots(inject, 'US-LAX');
    const slotId = days[1]!.slots[0]!.id;
    await dataSource.query(`UPDATE appointment_slot SET booked = capacity WHERE id = $1`, [slotId]);
    const before = await rowCounts(app);
    const full = await submit(inject, requestBody('US-LAX', slotId));
    expect(full.statusCode).toBe(409);
    expect(JSON.parse(full.body).error.code).toBe('SLOT_UNAVAILABLE');
    const elsewhere = await submit(inject, requestBody('AU-CBR', days[1]!.slots[2]!.id));
    expect(elsewhere.statusCode).toBe(409);
    expect(await rowCounts(app)).toEqual(before);
  });

  it('never overbooks: many concurrent requests for the last places get exactly as many bookings', async () => {
    const slotId = (await freeSlots(inject, 'JP-TYO'))[2]!.slots[3]!.id;
    await dataSource.query(`UPDATE appointment_slot SET capacity = 3 WHERE id = $1`, [slotId]);
    const before = await rowCounts(app);
    const responses = await Promise.all(Array.from({ length: 12 }, () => submit(inject, requestBody('JP-TYO', slotId))));
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([...Array(3).fill(201), ...Array(9).fill(409)]);
    const [slot] = await dataSource.query(`SELECT booked, capacity FROM appointment_slot WHERE id = $1`, [slotId]);
    expect(slot).toEqual({ booked: 3, capacity: 3 });
    const [{ requests }] = await dataSource.query(`SELECT count(*)::int AS requests FROM legalisation_request WHERE slot_id = $1`, [
      slotId,
    ]);
    expect(requests).toBe(3);
    expect((await rowCounts(app)).cases).toBe(before.cases + 3);
  });

  it('the same Idempotency-Key returns the first result and books once', async () => {
    const slotId = await firstFreeSlot(inject, 'US-LAX');
    const body = requestBody('US-LAX', slotId);
    const headers = { 'idempotency-key': 'legalisation-test-0001' };
    const [first, second] = await Promise.all([submit(inject, body, headers), submit(inject, body, headers)]);
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(JSON.parse(first.body).reference).toBe(JSON.parse(second.body).reference);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM legalisation_request WHERE idempotency_key = $1`, [
      'legalisation-test-0001',
    ]);
    expect(n).toBe(1);
    const other = await submit(inject, requestBody('US-LAX', (await freeSlots(inject, 'US-LAX'))[3]!.slots[0]!.id), headers);
    expect(other.statusCode).toBe(422);
  });

  it('limits the requests, each holding an appointment place, that one address submits in a day', async () => {
    const { bookingsPerIpPerDay } = app.get(LegalisationService).settings;
    const sameAddress = (body: Record<string, unknown>) =>
      inject({ method: 'POST', url: '/api/v1/legalisation/requests', payload: body, remoteAddress: '203.0.113.77' });
    for (let i = 0; i < bookingsPerIpPerDay; i++) {
      expect((await sameAddress(requestBody('US-LAX', await firstFreeSlot(inject, 'US-LAX')))).statusCode).toBe(201);
    }
    const before = await rowCounts(app);
    const refused = await sameAddress(requestBody('US-LAX', await firstFreeSlot(inject, 'US-LAX')));
    expect([refused.statusCode, JSON.parse(refused.body).error.code]).toEqual([429, 'TOO_MANY_REQUESTS']);
    expect(await rowCounts(app)).toEqual(before);
    // Another address still books.
    expect((await submit(inject, requestBody('US-LAX', await firstFreeSlot(inject, 'US-LAX')))).statusCode).toBe(201);
  });

  it('leaves nothing half-written when a later write of the submission fails', async () => {
    const slotId = await firstFreeSlot(inject, 'US-LAX');
    const before = await rowCounts(app);
    const service = app.get(LegalisationService);
    const body = requestBody('US-LAX', slotId) as unknown as SubmitRequestDto;
    const input = {
      applicant: body.applicant,
      items: body.items,
      options: { direction: body.direction, serviceLevel: body.serviceLevel, delivery: body.delivery, mailingAddress: null },
      postCode: body.postCode,
      slotId: body.slotId,
    };
    // Past validation, the database refuses the second item (no original): the case, the request,
    // the first item and the booking written before it must all go.
    input.items[1]!.originals = 0;
    await expect(service.submit(input, { clientIp: null })).rejects.toThrow(/check constraint/);
    expect(await rowCounts(app)).toEqual(before);
  });
});
