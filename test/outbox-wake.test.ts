import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CORE_JOBS, CaseSpine, OutboxWake, OutboxWriter } from '@app/cases';
import { BlindIndex, FieldCipher } from '@app/platform';
import { createTestDatabase, eventually, openDataSource } from './harness/context.js';
import { openTestCase } from './harness/spine.js';
import { testCatalogue } from './harness/catalogue.js';

/**
 * The outbox relays are woken (NOTIFY outbox_pending) after the writing transaction commits, by
 * OutboxWake, not by a trigger inside the transaction, whose NOTIFY would serialise the commits of
 * every transaction that enqueues a job.
 */
describe('outbox wake-up after commit', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let listener: pg.Client;
  let spine: CaseSpine;
  const received: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    const wake = new OutboxWake(dataSource);
    wake.onModuleInit();
    spine = new CaseSpine(
      new FieldCipher(new Map([['k1', randomBytes(32)]]), 'k1'),
      new BlindIndex(randomBytes(32)),
      new OutboxWriter(wake),
      testCatalogue(),
    );
    listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    listener.on('notification', (n) => received.push(n.payload ?? ''));
    await listener.query('LISTEN outbox_pending');
  });

  afterAll(async () => {
    await listener.end();
    await dataSource.destroy();
    await db.drop();
  });

  it('has no NOTIFY trigger on the outbox table any more', async () => {
    const triggers = await dataSource.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = 'outbox'::regclass AND NOT tgisinternal`);
    expect(triggers).toEqual([]);
  });

  it('notifies the relays once a transaction that wrote outbox rows has committed', async () => {
    const before = received.length;
    await dataSource.transaction((manager) => openTestCase(spine, manager));
    expect(
      await eventually(
        async () => received.length,
        (n) => n > before,
      ),
    ).toBeGreaterThan(before);
  });

  it('notifies for a row written outside a transaction too', async () => {
    const before = received.length;
    const [{ id }] = (await dataSource.query(
      `INSERT INTO "case" (reference, service, status, post_code, locale, version, event_count) VALUES ('XWK-0000-0001', 'passport', 'SUBMITTED', 'US-LAX', 'en', 1, 0) RETURNING id`,
    )) as { id: string }[];
    await new OutboxWriter(new OutboxWake(dataSource)).add(
      dataSource.manager,
      CORE_JOBS.NotifyCaseEvent,
      { caseId: id, eventSeq: 1 },
      {
        caseId: id,
      },
    );
    expect(
      await eventually(
        async () => received.length,
        (n) => n > before,
      ),
    ).toBeGreaterThan(before);
  });
});
