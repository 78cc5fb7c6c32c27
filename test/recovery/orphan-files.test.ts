import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { CORE_JOBS, QueueRegistry } from '@app/cases';
import { ORPHAN_GRACE_MS, OrphanFileSweeper, type OrphanSweep, STORAGE_KEY_COLUMNS } from '@app/lifecycle';
import { type AppConfig, StoragePort } from '@app/platform';
import { ManualClock } from '../harness/clock.js';
import { startTestStack, type WorkerStack } from '../harness/app.js';
import { eventually } from '../harness/context.js';
import { integrityProblems, unreferencedBlobs } from '../harness/integrity.js';
import { browserInjector, submittedApplication } from '../evisa/helpers.js';
import { approve, caseRow } from '../faults/support.js';
import { firstScheduledRuns, JobRunner } from './support.js';

const TWO_HOURS = 2 * 3_600_000;

describe('stored files that no row references are swept', () => {
  let stack: WorkerStack;
  let config: AppConfig;
  let api: NestFastifyApplication;
  let worker: INestApplicationContext;
  let dataSource: DataSource;
  let storage: StoragePort;
  let storageDir: string;
  let runner: JobRunner;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true, ownDataSource: true });
    ({ config, api, worker, dataSource } = stack);
    storageDir = path.resolve(config.storageDir);
    storage = worker.get(StoragePort);
    runner = new JobRunner(config, worker.get(QueueRegistry));
    await firstScheduledRuns(worker, [CORE_JOBS.SweepOrphanFiles]);
  });

  afterAll(async () => {
    await runner.close();
    await stack?.close();
  });

  const blobPath = (name: string) => path.join(storageDir, name.slice(0, 2), name);
  const exists = (name: string) => fs.existsSync(blobPath(name));
  const age = (file: string, ms: number) => {
    const then = new Date(Date.now() - ms);
    fs.utimesSync(file, then, then);
  };
  const storedKeys = async (caseId: string) =>
    ((await dataSource.query(`SELECT storage_key FROM file WHERE case_id = $1`, [caseId])) as { storage_key: string }[]).map(
      (r) => r.storage_key,
    );
  async function orphan(): Promise<string> {
    const key = randomUUID();
    await storage.put(key, Buffer.from(`%PDF-1.7\n% written by a transaction that never committed ${key}\n`));
    return key;
  }

  it('names every column that holds a storage key', async () => {
    const columns = (await dataSource.query(
      `SELECT table_name AS table, column_name AS column FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name ~ '(storage|blob|object_key|file_key)' ORDER BY 1, 2`,
    )) as { table: string; column: string }[];
    expect(columns).toEqual([...STORAGE_KEY_COLUMNS]);
  });

  it('removes old unreferenced bytes and abandoned writes; keeps every referenced file, young ones and what is not its own', async () => {
    // An issued eVisa: its photo, passport page and PDF are referenced, and made two hours old.
    const { caseId } = await submittedApplication(await browserInjector(api));
    await approve(api, dataSource, caseId);
    const issued = await eventually(
      () => caseRow(dataSource, caseId),
      (row) => row.status === 'ISSUED',
      60_000,
    );
    expect(issued.status).toBe('ISSUED');
    const referenced = await storedKeys(caseId);
    expect(referenced).toHaveLength(3);
    for (const key of referenced) age(blobPath(key), TWO_HOURS);

    const oldOrphan = await orphan();
    age(blobPath(oldOrphan), TWO_HOURS);
    const youngOrphan = await orphan();
    const shard = path.join(storageDir, oldOrphan.slice(0, 2));
    const oldPartial = path.join(shard, `${randomUUID()}.${randomUUID()}.partial`);
    const youngPartial = path.join(shard, `${randomUUID()}.${randomUUID()}.partial`);
    const stranger = path.join(shard, 'notes.txt');
    for (const file of [oldPartial, youngPartial, stranger]) fs.writeFileSync(file, 'half a write');
    age(oldPartial, TWO_HOURS);
    age(stranger, TWO_HOURS);

    // Through the queue and the worker's one handler.
    const sweep = await runner.run<OrphanSweep>(CORE_JOBS.SweepOrphanFiles);
    expect(sweep).toMatchObject({ checked: 4, removed: 1, abandonedWrites: 1 });
    expect(referenced.filter(exists)).toEqual(referenced);
    expect([exists(oldOrphan), exists(youngOrphan)]).toEqual([false, true]);
    expect([oldPartial, youngPartial, stranger].map((file) => fs.existsSync(file))).toEqual([false, true, true]);
    expect(await integrityProblems(dataSource, storageDir)).toEqual([]);
    expect((await unreferencedBlobs(dataSource, storageDir)).sort()).toEqual([youngOrphan, 'notes.txt'].sort());

    expect(await runner.run<OrphanSweep>(CORE_JOBS.SweepOrphanFiles)).toMatchObject({ checked: 3, removed: 0, abandonedWrites: 0 });

    // Once past the grace period by the sweeper's clock, the young orphan goes too; no referenced file does.
    const later = new ManualClock(new Date(Date.now() + ORPHAN_GRACE_MS + 60_000));
    const sweeper = new OrphanFileSweeper(dataSource, storage, later);
    expect(await sweeper.sweep()).toMatchObject({ checked: 4, removed: 1, abandonedWrites: 1 });
    expect(referenced.filter(exists)).toEqual(referenced);
    expect([exists(youngOrphan), fs.existsSync(youngPartial), fs.existsSync(stranger)]).toEqual([false, false, true]);
    expect(await integrityProblems(dataSource, storageDir)).toEqual([]);
  }, 120_000);

  it('is scheduled hourly by the worker', async () => {
    const queue = worker.get(QueueRegistry).get(CORE_JOBS.SweepOrphanFiles.queue);
    expect(await queue.getJobScheduler(CORE_JOBS.SweepOrphanFiles.name)).toMatchObject({ every: 3_600_000 });
  });
});
