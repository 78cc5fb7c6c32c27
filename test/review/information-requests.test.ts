import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { BlindIndex, FieldCipher, type RateLimiter } from '@app/platform';
import { CaseSpine, OutboxWriter } from '@app/cases';
import { InformationRequests } from '@app/review';
import { ManualClock } from '../harness/clock.js';
import { createTestDatabase, openDataSource } from '../harness/context.js';
import { openTestCase } from '../harness/spine.js';
import { machineOf, testCatalogue } from '../harness/catalogue.js';

/** The one store of officers' requests for information and applicants' answers (passports, document authentication). */
describe('information requests', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let requests: InformationRequests;
  const cipher = new FieldCipher(new Map([['k1', randomBytes(32)]]), 'k1');
  const spine = new CaseSpine(cipher, new BlindIndex(randomBytes(32)), new OutboxWriter(), testCatalogue());
  const unlimited = { consume: async () => undefined } as unknown as RateLimiter;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    requests = new InformationRequests(dataSource, spine, cipher, new ManualClock(), unlimited);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('keeps the message encrypted, lists it decrypted, and erasure clears the texts but keeps the dates', async () => {
    const opened = await dataSource.transaction((manager) => openTestCase(spine, manager, 'legalisation', 'US-LAX'));
    await dataSource.transaction((manager) => requests.record(manager, opened.id, 'Send the original birth certificate.', '2026-04-01'));
    const [row] = (await dataSource.query(`SELECT message FROM information_request WHERE case_id = $1`, [opened.id])) as {
      message: string;
    }[];
    expect(row!.message).not.toContain('birth');
    expect(await requests.list(dataSource.manager, opened.id)).toEqual([
      expect.objectContaining({ message: 'Send the original birth certificate.', deadline: '2026-04-01', answer: null, answeredAt: null }),
    ]);
    await dataSource.transaction((manager) => requests.erase(manager, opened.id));
    expect(await requests.list(dataSource.manager, opened.id)).toEqual([
      expect.objectContaining({ message: null, deadline: '2026-04-01', answer: null }),
    ]);
  });

  it("answers only a case of the service asking, with that service's error code", async () => {
    const opened = await dataSource.transaction((manager) => openTestCase(spine, manager, 'passport', 'US-LAX'));
    const rules = {
      machine: machineOf('legalisation'),
      eventType: 'legalisation.information_provided',
      notFoundCode: 'NOT_HERE',
      rateLimitKey: 'test',
    };
    const answer = { reference: opened.reference, surname: 'Chen', dateOfBirth: '1990-04-01', answer: 'Posted today.' };
    await expect(requests.answer(answer, '203.0.113.9', rules)).rejects.toMatchObject({ code: 'NOT_HERE' });
    // The right service but no open request: the same answer.
    await expect(requests.answer(answer, '203.0.113.9', { ...rules, machine: machineOf('passport') })).rejects.toMatchObject({
      code: 'NOT_HERE',
    });
  });
});
