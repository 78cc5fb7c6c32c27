import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { verifyCaseChain } from '@app/cases';
import { ApplicationCipher } from '@app/evisa';
import { loadConfig } from '@app/platform';
import { createApi } from '../../apps/api/src/bootstrap.js';
import { createTestDatabase, eventually, openDataSource, testEnv } from '../harness/context.js';
import { integrityProblems, unreferencedBlobs } from '../harness/integrity.js';
import { type AppProcess, startWorkerProcess, stopAllProcesses } from '../harness/processes.js';
import { browserInjector, submittedApplication } from '../evisa/helpers.js';
import { approve, caseRow, count } from './support.js';

/**
 * kill -9 of the worker in the middle of rendering an eVisa. The render job stores the seal first,
 * then renders, then stores the PDF, the generated_document and ISSUED in one transaction. The
 * test holds an EXCLUSIVE lock on generated_document (reads still pass, inserts wait), so the job
 * can never finish while the worker lives: the moment the test observes the seal in the database,
 * the worker is between the seal and the document — rendering, storing the bytes, or waiting on
 * the insert — and it is killed there. No hook in the code; only what the database shows.
 */
describe('the worker killed in the middle of an eVisa render', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: Record<string, string>;
  let api: NestFastifyApplication;
  let dataSource: DataSource;
  let worker: AppProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = testEnv(db.url);
    api = await createApi(loadConfig(env));
    await api.init();
    await api.getHttpAdapter().getInstance().ready();
    dataSource = await openDataSource(db.url);
  });

  afterAll(async () => {
    await stopAllProcesses();
    await api.close();
    await dataSource.destroy();
    await db.drop();
  });

  const storedSeal = async (caseId: string): Promise<string | null> => {
    const [row] = (await dataSource.query(`SELECT seal FROM evisa_application WHERE case_id = $1`, [caseId])) as { seal: string | null }[];
    return row?.seal ? api.get(ApplicationCipher).open(caseId, 'seal', row.seal) : null;
  };

  it('restarts and finishes the job: one document, one ISSUED event, one notification, the seal made before the crash', async () => {
    const { caseId } = await submittedApplication(await browserInjector(api));

    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE generated_document IN EXCLUSIVE MODE');
    let sealAtCrash: string | null;
    try {
      await approve(api, dataSource, caseId);
      worker = await startWorkerProcess(env);
      sealAtCrash = await eventually(
        () => storedSeal(caseId),
        (seal) => seal !== null,
        60_000,
      );
      expect(sealAtCrash).not.toBeNull();
      await worker.crash();
      expect(await worker.exited).toBe('SIGKILL');
      expect([
        (await caseRow(dataSource, caseId)).status,
        await count(dataSource, `SELECT count(*) AS n FROM generated_document WHERE case_id = $1`, [caseId]),
      ]).toEqual(['APPROVED', 0]);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }

    // The job is still "active" in Redis under the dead worker's lock. BullMQ's stalled-job check
    // (every stalledInterval, 30 s) first marks it, and moves it back to waiting at the next check
    // once the lock (lockDuration, 30 s) has lapsed: about a minute, the bulk of this test's time.
    worker = await startWorkerProcess(env);
    const finished = await eventually(
      () => caseRow(dataSource, caseId),
      (row) => row.status === 'ISSUED',
      120_000,
    );
    expect(finished.status).toBe('ISSUED');
    await worker.stop();

    expect(await storedSeal(caseId)).toBe(sealAtCrash);
    expect({
      documents: await count(dataSource, `SELECT count(*) AS n FROM generated_document WHERE case_id = $1`, [caseId]),
      pdfFiles: await count(dataSource, `SELECT count(*) AS n FROM file WHERE case_id = $1 AND kind = 'evisa-pdf'`, [caseId]),
      issuedEvents: await count(dataSource, `SELECT count(*) AS n FROM case_event WHERE case_id = $1 AND type = 'evisa.issued'`, [caseId]),
      issuedNotifications: await count(
        dataSource,
        `SELECT count(*) AS n FROM outbox o JOIN case_event e ON e.case_id = o.case_id AND o.payload->>'eventSeq' = e.seq::text
          WHERE o.case_id = $1 AND o.job_name = 'notify-case-event' AND e.type = 'evisa.issued'`,
        [caseId],
      ),
    }).toEqual({ documents: 1, pdfFiles: 1, issuedEvents: 1, issuedNotifications: 1 });
    expect(await verifyCaseChain(dataSource.manager, caseId)).toEqual({ ok: true, events: expect.any(Number) as number });
    expect(await integrityProblems(dataSource, env.STORAGE_DIR)).toEqual([]);

    // The PDF that was issued carries the seal stored before the crash, in its QR code.
    const [file] = (await dataSource.query(`SELECT storage_key, sha256 FROM file WHERE case_id = $1 AND kind = 'evisa-pdf'`, [caseId])) as {
      storage_key: string;
      sha256: string;
    }[];
    const pdf = fs.readFileSync(path.join(env.STORAGE_DIR!, file!.storage_key.slice(0, 2), file!.storage_key));
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(file!.sha256);
    const workDir = fs.mkdtempSync(path.join(process.env.TEST_WORK_DIR!, 'crash-pdf-'));
    fs.writeFileSync(path.join(workDir, 'evisa.pdf'), pdf);
    const rendered = spawnSync('pdftoppm', [
      '-r',
      '200',
      '-png',
      '-singlefile',
      path.join(workDir, 'evisa.pdf'),
      path.join(workDir, 'page'),
    ]);
    expect(rendered.status).toBe(0);
    const scanned = spawnSync('zbarimg', ['--raw', '-q', '-Sbinary', path.join(workDir, 'page.png')]);
    expect(scanned.stdout.toString('base64')).toBe(sealAtCrash);

    // What the killed attempt wrote to storage before its transaction died is unreferenced; nothing points at it.
    const leftovers = await unreferencedBlobs(dataSource, env.STORAGE_DIR!);
    expect(leftovers.length).toBeLessThanOrEqual(1);
  }, 240_000);
});
