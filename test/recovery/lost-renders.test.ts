import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { CORE_JOBS, OutboxRelay, OutboxWriter, QueueName, QueueRegistry, verifyCaseChain } from '@app/cases';
import { LostRenderRecovery, type LostRenderRun, RENDER_REQUEUED_EVENT } from '@app/evisa';
import { type AppConfig, createQueueConnection } from '@app/platform';
import { createWorker } from '../../apps/worker/src/bootstrap.js';
import { startTestStack, type TestStack } from '../harness/app.js';
import { eventually } from '../harness/context.js';
import { integrityProblems } from '../harness/integrity.js';
import { browserInjector, type Inject, submittedApplication } from '../evisa/helpers.js';
import { approve, caseRow, count } from '../faults/support.js';
import { firstScheduledRuns, JobRunner } from './support.js';
import { EVISA_JOBS } from '@app/evisa';

/**
 * An approved eVisa whose render job is lost — failed for good (two stalls, eight attempts), or gone
 * from Redis — is rendered again by the RequeueLostRenders job, once it has waited past the grace
 * period; a render still queued or running, and a case inside the grace period, are left alone.
 * Cases are set up before the worker starts, with the outbox forwarded by hand and a stand-in worker
 * taking jobs, so each render job is in exactly the state the test says; "approved 20 minutes ago"
 * is written into the case, as the database stamps updated_at and decided_at with its own clock.
 */
describe('lost eVisa renders are queued again', () => {
  let stack: TestStack;
  let config: AppConfig;
  let api: NestFastifyApplication;
  let worker: INestApplicationContext | undefined;
  let dataSource: DataSource;
  let inject: Inject;
  let relay: OutboxRelay;
  let standIn: Worker;
  let standInConnection: Redis;
  let runner: JobRunner;

  beforeAll(async () => {
    stack = await startTestStack({ ownDataSource: true });
    ({ config, api, dataSource } = stack);
    inject = await browserInjector(api);
    relay = new OutboxRelay(dataSource, api.get(QueueRegistry), config);
    // Another worker process, as far as BullMQ can tell: it takes jobs and holds their lock.
    standInConnection = createQueueConnection(config.redisUrl, 'test-stand-in');
    standIn = new Worker(QueueName.Documents, null, {
      connection: standInConnection,
      prefix: config.queuePrefix,
      autorun: false,
      lockDuration: 3_600_000,
    });
    runner = new JobRunner(config, api.get(QueueRegistry));
  });

  afterAll(async () => {
    await runner.close();
    await standIn.close(true);
    standInConnection.disconnect();
    await worker?.close();
    await stack?.close();
  });

  const documentsQueue = () => api.get(QueueRegistry).get(QueueName.Documents);
  const renderJobIds = async (caseId: string) =>
    (
      (await dataSource.query(`SELECT id FROM outbox WHERE case_id = $1 AND job_name = $2 ORDER BY created_at, id`, [
        caseId,
        EVISA_JOBS.RenderEvisa.name,
      ])) as {
        id: string;
      }[]
    ).map((row) => row.id);
  const tally = async (caseId: string) => ({
    status: (await caseRow(dataSource, caseId)).status,
    documents: await count(dataSource, `SELECT count(*) AS n FROM generated_document WHERE case_id = $1`, [caseId]),
    pdfFiles: await count(dataSource, `SELECT count(*) AS n FROM file WHERE case_id = $1 AND kind = 'evisa-pdf'`, [caseId]),
    issuedEvents: await count(dataSource, `SELECT count(*) AS n FROM case_event WHERE case_id = $1 AND type = 'evisa.issued'`, [caseId]),
  });
  const requeueEvents = async (caseId: string) =>
    (await dataSource.query(
      `SELECT actor_type, actor_id, visibility, payload FROM case_event WHERE case_id = $1 AND type = $2 ORDER BY seq`,
      [caseId, RENDER_REQUEUED_EVENT],
    )) as {
      actor_type: string;
      actor_id: string;
      visibility: string;
      payload: { requeue: number; lostJob: { id: string; state: string } };
    }[];
  const moveBack = (caseIds: string[], minutes: number) =>
    dataSource.query(
      `UPDATE "case" SET updated_at = updated_at - make_interval(mins => $2), decided_at = decided_at - make_interval(mins => $2)
        WHERE id = ANY($1)`,
      [caseIds, minutes],
    );
  const gauge = async () => {
    const scraped = await inject({ method: 'GET', url: '/metrics' });
    return Number(/^evisa_approved_without_document (\d+)$/m.exec(scraped.body)?.[1]);
  };
  const issued = (caseId: string) =>
    eventually(
      () => tally(caseId),
      (t) => t.status === 'ISSUED',
      60_000,
    );

  /** Submitted, approved, and its render job forwarded to BullMQ (by this relay, or the worker's once it runs), where it waits. */
  async function approvedAwaitingRender(): Promise<{ caseId: string; jobId: string }> {
    const { caseId } = await submittedApplication(inject);
    await approve(api, dataSource, caseId);
    await relay.drainOnce();
    const [jobId] = await renderJobIds(caseId);
    const state = await eventually(
      () => documentsQueue().getJobState(jobId!),
      (s) => s === 'waiting',
      30_000,
    );
    expect(state).toBe('waiting');
    return { caseId, jobId: jobId! };
  }

  /** The stand-in worker takes the next render job; it must be this one. */
  async function take(jobId: string): Promise<Job> {
    const job = (await standIn.getNextJob(`stand-in-${jobId}`)) as Job | undefined;
    expect(job?.id).toBe(jobId);
    return job!;
  }

  it('renders once more what was lost, after the grace period; leaves renders in flight and young cases alone; a second render does nothing', async () => {
    // failed: its worker died twice while rendering, and BullMQ gave up on it.
    const failed = await approvedAwaitingRender();
    const dying = await take(failed.jobId);
    await dying.moveToFailed(new UnrecoverableError('job stalled more than allowable limit'), `stand-in-${failed.jobId}`);
    expect(await documentsQueue().getJobState(failed.jobId)).toBe('failed');
    // missing: Redis no longer has the job at all.
    const missing = await approvedAwaitingRender();
    await documentsQueue().remove(missing.jobId);
    expect(await documentsQueue().getJobState(missing.jobId)).toBe('unknown');
    // active: another worker is rendering it right now.
    const active = await approvedAwaitingRender();
    const held = await take(active.jobId);
    expect(await documentsQueue().getJobState(active.jobId)).toBe('active');
    // waiting: queued and not yet taken (the documents queue is paused below to keep it so).
    const waiting = await approvedAwaitingRender();
    // young: its job is gone, but it was approved only just now.
    const young = await approvedAwaitingRender();
    await documentsQueue().remove(young.jobId);

    await documentsQueue().pause();
    worker = await createWorker(config);
    await firstScheduledRuns(worker, [EVISA_JOBS.RequeueLostRenders, CORE_JOBS.SweepOrphanFiles]);
    expect(await worker.get(QueueRegistry).get(QueueName.Notifications).getJobScheduler(EVISA_JOBS.RequeueLostRenders.name)).toMatchObject({
      every: EVISA_JOBS.RequeueLostRenders.everyMs,
    });
    const old = [failed, missing, active, waiting].map((c) => c.caseId);
    await moveBack(old, 20);
    expect(await gauge()).toBe(4);

    // Through the queue and the worker's one handler.
    expect(await runner.run<LostRenderRun>(EVISA_JOBS.RequeueLostRenders)).toEqual({ checked: 4, requeued: 2, inFlight: 2 });
    expect((await requeueEvents(failed.caseId)).map((e) => [e.actor_type, e.actor_id, e.visibility, e.payload])).toEqual([
      ['system', 'render-recovery', 'internal', { requeue: 1, lostJob: { id: failed.jobId, state: 'failed' } }],
    ]);
    expect((await requeueEvents(missing.caseId)).map((e) => e.payload)).toEqual([
      { requeue: 1, lostJob: { id: missing.jobId, state: 'missing' } },
    ]);
    for (const untouched of [active, waiting, young]) {
      expect(await requeueEvents(untouched.caseId)).toEqual([]);
      expect(await renderJobIds(untouched.caseId)).toEqual([untouched.jobId]);
    }
    expect(await renderJobIds(failed.caseId)).toHaveLength(2);
    expect(await renderJobIds(missing.caseId)).toHaveLength(2);

    // Running again at once changes nothing: the new jobs are queued, the others still in flight.
    const recovery = worker.get(LostRenderRecovery);
    expect(await recovery.run()).toEqual({ checked: 2, requeued: 0, inFlight: 2 });

    await documentsQueue().resume();
    for (const done of [failed, missing, waiting]) {
      expect(await issued(done.caseId)).toEqual({ status: 'ISSUED', documents: 1, pdfFiles: 1, issuedEvents: 1 });
    }
    expect(await tally(active.caseId)).toEqual({ status: 'APPROVED', documents: 0, pdfFiles: 0, issuedEvents: 0 });
    expect(await tally(young.caseId)).toEqual({ status: 'APPROVED', documents: 0, pdfFiles: 0, issuedEvents: 0 });
    expect(await gauge()).toBe(1);

    // A render job for a case already issued does nothing: the render is idempotent.
    const again = await dataSource.transaction((m) =>
      worker!.get(OutboxWriter).add(m, EVISA_JOBS.RenderEvisa, { caseId: failed.caseId }, { caseId: failed.caseId }),
    );
    const finished = await eventually(
      () => documentsQueue().getJobState(again),
      (state) => state === 'completed' || state === 'failed',
      60_000,
    );
    expect(finished).toBe('completed');
    expect((await documentsQueue().getJob(again))?.returnvalue).toMatchObject({ outcome: 'already-rendered' });
    expect(await tally(failed.caseId)).toEqual({ status: 'ISSUED', documents: 1, pdfFiles: 1, issuedEvents: 1 });

    // The worker holding the active render dies for good: that render is queued again too.
    await held.moveToFailed(new UnrecoverableError('job stalled more than allowable limit'), `stand-in-${active.jobId}`);
    expect(await recovery.run()).toEqual({ checked: 1, requeued: 1, inFlight: 0 });
    expect(await issued(active.caseId)).toEqual({ status: 'ISSUED', documents: 1, pdfFiles: 1, issuedEvents: 1 });
    expect(await recovery.run()).toEqual({ checked: 0, requeued: 0, inFlight: 0 });

    for (const { caseId } of [failed, missing, active, waiting]) {
      expect(await verifyCaseChain(dataSource.manager, caseId)).toEqual({ ok: true, events: expect.any(Number) as number });
    }
  }, 240_000);

  it('waits twice as long after each re-queue before the next, and the case is issued once its render goes through', async () => {
    const recovery = worker!.get(LostRenderRecovery);
    await documentsQueue().pause();
    const lost = await approvedAwaitingRender();
    await documentsQueue().remove(lost.jobId);
    try {
      await moveBack([lost.caseId], 16);
      expect(await recovery.run()).toEqual({ checked: 1, requeued: 1, inFlight: 0 });

      // Lost again: the first re-queue makes the next wait 30 minutes, not 15.
      const second = (await renderJobIds(lost.caseId)).at(-1)!;
      await eventually(
        () => documentsQueue().getJobState(second),
        (state) => state === 'waiting',
        30_000,
      );
      await documentsQueue().remove(second);
      await moveBack([lost.caseId], 20);
      expect(await recovery.run()).toEqual({ checked: 0, requeued: 0, inFlight: 0 });
      await moveBack([lost.caseId], 11);
      expect(await recovery.run()).toEqual({ checked: 1, requeued: 1, inFlight: 0 });
      expect((await requeueEvents(lost.caseId)).map((e) => e.payload)).toEqual([
        { requeue: 1, lostJob: { id: lost.jobId, state: 'missing' } },
        { requeue: 2, lostJob: { id: second, state: 'missing' } },
      ]);
    } finally {
      await documentsQueue().resume();
    }
    expect(await issued(lost.caseId)).toEqual({ status: 'ISSUED', documents: 1, pdfFiles: 1, issuedEvents: 1 });
    expect(await integrityProblems(dataSource, config.storageDir)).toEqual([]);
  }, 120_000);
});
