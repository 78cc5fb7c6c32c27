import { QueueEvents } from 'bullmq';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { CaseSpine } from '@app/cases';
import { CORE_JOBS, JobCatalogue, OutboxRelay, OutboxWriter, QueueName, QueueRegistry } from '@app/cases';
import type { AppConfig } from '@app/platform';
import { freePort, startRedis } from '../scripts/lib/services.mjs';
import { createTestDatabase, eventually, openDataSource, testConfig } from './harness/context.js';
import { openTestCase, testSpine } from './harness/spine.js';
import { testCatalogue } from './harness/catalogue.js';

describe('outbox → BullMQ', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let spine: CaseSpine;
  let config: AppConfig;
  let queues: QueueRegistry;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    spine = testSpine();
    config = testConfig(db.url);
    queues = new QueueRegistry(config, new JobCatalogue(testCatalogue()));
  });

  afterAll(async () => {
    await queues.onApplicationShutdown();
    await dataSource.destroy();
    await db.drop();
  });

  beforeEach(async () => {
    await dataSource.query(`UPDATE outbox SET dispatched_at = now() WHERE dispatched_at IS NULL`);
  });

  const notificationJobs = () => queues.get(QueueName.Notifications).getJobs(['waiting', 'delayed', 'prioritized', 'active']);

  it('turns a committed case into exactly one BullMQ job whose id is the outbox id', async () => {
    const relay = new OutboxRelay(dataSource, queues, config);
    const before = (await notificationJobs()).length;
    const opened = await dataSource.transaction((m) => openTestCase(spine, m));
    const [row] = await dataSource.query(`SELECT id FROM outbox WHERE case_id = $1`, [opened.id]);
    expect(await relay.drainOnce()).toBe(1);
    expect(await relay.drainOnce()).toBe(0);
    const jobs = await notificationJobs();
    expect(jobs).toHaveLength(before + 1);
    const job = jobs.find((j) => j.id === row.id)!;
    expect(job.name).toBe(CORE_JOBS.NotifyCaseEvent.name);
    expect(job.data).toEqual({ caseId: opened.id, eventSeq: 1 });
    const [after] = await dataSource.query(`SELECT dispatched_at FROM outbox WHERE id = $1`, [row.id]);
    expect(after.dispatched_at).toBeInstanceOf(Date);
  });

  it('leaves no row and no job behind when the transaction rolls back', async () => {
    const relay = new OutboxRelay(dataSource, queues, config);
    const before = (await notificationJobs()).length;
    const countCases = async () => (await dataSource.query(`SELECT count(*)::int AS n FROM "case"`))[0].n;
    const casesBefore = await countCases();
    await expect(
      dataSource.transaction(async (m) => {
        await openTestCase(spine, m);
        throw new Error('crash after writing');
      }),
    ).rejects.toThrow('crash after writing');
    expect(await countCases()).toBe(casesBefore);
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL`))[0].n).toBe(0);
    expect(await relay.drainOnce()).toBe(0);
    expect((await notificationJobs()).length).toBe(before);
  });

  it('two relays racing over 1,000 rows enqueue each row exactly once', async () => {
    const writer = new OutboxWriter();
    const ids: string[] = await dataSource.transaction(async (m) => {
      const written: string[] = [];
      for (let i = 0; i < 1000; i++) written.push(await writer.add(m, CORE_JOBS.NotifyCaseEvent, { caseId: `race-${i}`, eventSeq: 1 }));
      return written;
    });
    const events = new QueueEvents(QueueName.Notifications, { connection: { url: config.redisUrl }, prefix: config.queuePrefix });
    await events.waitUntilReady();
    let duplicates = 0;
    events.on('duplicated', () => duplicates++);
    const otherSource = await openDataSource(db.url);
    const relayA = new OutboxRelay(dataSource, queues, config);
    const otherQueues = new QueueRegistry(config, new JobCatalogue(testCatalogue()));
    await eventually(
      async () => otherQueues.redisReady,
      (ready) => ready,
    );
    const relayB = new OutboxRelay(otherSource, otherQueues, config);
    const [a, b] = await Promise.all([relayA.drainOnce(), relayB.drainOnce()]);
    await new Promise((r) => setTimeout(r, 300));
    await events.close();
    await otherQueues.onApplicationShutdown();
    await otherSource.destroy();
    expect(a + b).toBe(1000);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(duplicates).toBe(0);
    const jobIds = new Set((await notificationJobs()).map((j) => j.id));
    expect(ids.every((id) => jobIds.has(id))).toBe(true);
    expect((await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE id = ANY($1) AND dispatched_at IS NULL`, [ids]))[0].n).toBe(
      0,
    );
  });

  it('keeps rows pending while Redis is down, and forwards them all once it is back', async () => {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(process.env.TEST_WORK_DIR!, 'redis-'));
    let redis = await startRedis({ dataDir, port, appendOnly: true });
    const ownConfig = testConfig(db.url, { REDIS_URL: redis.url });
    const ownQueues = new QueueRegistry(ownConfig, new JobCatalogue(testCatalogue()));
    const relay = new OutboxRelay(dataSource, ownQueues, ownConfig);
    await eventually(
      async () => ownQueues.redisReady,
      (ready) => ready,
    );
    await relay.start();
    try {
      await redis.stop();
      await eventually(
        async () => ownQueues.redisReady,
        (ready) => !ready,
      );
      const opened = await Promise.all(Array.from({ length: 20 }, () => dataSource.transaction((m) => openTestCase(spine, m))));
      await new Promise((r) => setTimeout(r, 1500));
      const pending = async () =>
        (
          await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL AND case_id = ANY($1)`, [
            opened.map((c) => c.id),
          ])
        )[0].n;
      expect(await pending()).toBe(20);

      redis = await startRedis({ dataDir, port, appendOnly: true });
      expect(await eventually(pending, (n) => n === 0, 30_000)).toBe(0);
      const jobs = await ownQueues.get(QueueName.Notifications).getJobs(['waiting', 'delayed', 'prioritized']);
      const caseIds = new Set(jobs.map((j) => (j.data as { caseId: string }).caseId));
      expect(opened.every((c) => caseIds.has(c.id))).toBe(true);
      expect(jobs.filter((j) => opened.some((c) => c.id === (j.data as { caseId: string }).caseId))).toHaveLength(20);
    } finally {
      await relay.stop();
      await ownQueues.onApplicationShutdown();
      await redis.stop();
    }
  });
});
