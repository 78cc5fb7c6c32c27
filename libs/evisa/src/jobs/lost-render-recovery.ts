import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CaseSpine, OnJob, OutboxWriter, QueueRegistry } from '@app/cases';
import { Clock } from '@app/platform';
import { EVISA_DOCUMENT_KIND } from './render-evisa.handler.js';
import { EVISA_JOBS } from '../evisa.jobs.js';

/**
 * How long an approved eVisa may go without its document before its render counts as lost.
 * Rendering takes seconds; a job still working through its retries is "delayed", not lost, and
 * is left alone whatever its age.
 */
export const RENDER_GRACE_MS = 15 * 60_000;
/**
 * Each re-queue doubles the wait before the next (15 min, 30 min, 1 h, …) up to a day: a render
 * that fails every time (a bug, a photo that crashes the renderer) costs a few jobs a day instead
 * of one every run, and still goes through by itself once the cause is fixed.
 */
const MAX_WAIT_MS = 24 * 3_600_000;
const BATCH_SIZE = 100;
/** Job states in which the render will still happen without help ('waiting' includes a paused queue). */
const IN_FLIGHT = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
export const RENDER_REQUEUED_EVENT = 'evisa.render_requeued';
const RECOVERY_ACTOR = { type: 'system', id: 'render-recovery' } as const;

export interface LostRenderRun {
  /** Approved cases past their wait with no document. */
  checked: number;
  requeued: number;
  /** Of those, cases whose render is still queued or running. */
  inFlight: number;
}

/** The render job a case last had, as the case event records it; `missing` when Redis no longer has it. */
interface LastRenderJob {
  id: string;
  state: string;
}

/**
 * Runs every 5 minutes (a repeatable job). An approved eVisa gets its PDF from a RenderEvisa job;
 * when that job is lost — failed after its attempts, failed for stalling twice (its worker killed
 * twice while rendering), or gone from Redis — the case would stay APPROVED with no document and no
 * one told. This finds such cases and queues their render again through the outbox. The render is
 * idempotent: a case issued meanwhile ends with one document and one ISSUED event whatever runs.
 * Each re-queue is an internal `evisa.render_requeued` event on the case (officers see it in the
 * history; it also counts the re-queues) and a warning in the log; the API's
 * `evisa_approved_without_document` gauge counts the cases still waiting.
 */
@Injectable()
export class LostRenderRecovery {
  private readonly logger = new Logger(LostRenderRecovery.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly outbox: OutboxWriter,
    private readonly queues: QueueRegistry,
    private readonly clock: Clock,
  ) {}

  @OnJob(EVISA_JOBS.RequeueLostRenders)
  async requeueLostRenders(): Promise<LostRenderRun> {
    return this.run();
  }

  async run(): Promise<LostRenderRun> {
    const due = (await this.dataSource.query(
      `SELECT c.id, c.version, c.updated_at, r.requeues FROM "case" c
         CROSS JOIN LATERAL (SELECT count(*)::int AS requeues FROM case_event e WHERE e.case_id = c.id AND e.type = $4) r
        WHERE c.status = 'APPROVED' AND c.service = 'evisa'
          AND c.updated_at < $1::timestamptz - $2::bigint * interval '1 millisecond'
          AND c.updated_at < $1::timestamptz - least($2::bigint * power(2, r.requeues), $3::bigint) * interval '1 millisecond'
          AND NOT EXISTS (SELECT 1 FROM generated_document d WHERE d.case_id = c.id AND d.kind = $5 AND d.locale = c.locale)
        ORDER BY c.updated_at, c.id LIMIT $6`,
      [this.clock.now(), RENDER_GRACE_MS, MAX_WAIT_MS, RENDER_REQUEUED_EVENT, EVISA_DOCUMENT_KIND, BATCH_SIZE],
    )) as { id: string; version: number; updated_at: Date; requeues: number }[];
    let requeued = 0;
    let inFlight = 0;
    for (const candidate of due) {
      const jobs = await this.renderJobs(candidate.id);
      if (jobs === 'in-flight') {
        inFlight++;
        continue;
      }
      const lastJob = jobs.at(-1) ?? null;
      if (await this.requeue(candidate, lastJob)) {
        requeued++;
        this.logger.warn(
          `case ${candidate.id}: approved with no eVisa document since ${candidate.updated_at.toISOString()}, ` +
            `render job ${lastJob ? `${lastJob.id} ${lastJob.state}` : 'none'}; render queued again (re-queue ${candidate.requeues + 1})`,
        );
      }
    }
    if (requeued) this.logger.log(`queued the render of ${requeued} approved eVisas again (${inFlight} still in flight)`);
    return { checked: due.length, requeued, inFlight };
  }

  /** The case's render jobs, oldest first, with their state; 'in-flight' as soon as one will still run. */
  private async renderJobs(caseId: string): Promise<LastRenderJob[] | 'in-flight'> {
    const rows = (await this.dataSource.query(
      `SELECT id, dispatched_at FROM outbox WHERE case_id = $1 AND job_name = $2 ORDER BY created_at, id`,
      [caseId, EVISA_JOBS.RenderEvisa.name],
    )) as { id: string; dispatched_at: Date | null }[];
    // Not yet forwarded (Redis away, the relay behind): the relay will still deliver it.
    if (rows.some((row) => row.dispatched_at === null)) return 'in-flight';
    const queue = this.queues.get(EVISA_JOBS.RenderEvisa.queue);
    const jobs: LastRenderJob[] = [];
    for (const row of rows) {
      const state = await queue.getJobState(row.id);
      if (IN_FLIGHT.has(state)) return 'in-flight';
      jobs.push({ id: row.id, state: state === 'unknown' ? 'missing' : state });
    }
    return jobs;
  }

  /**
   * Queues the render and records why, in one transaction; false when the case changed since it was
   * listed (issued, or re-queued by another run): the next run looks at it afresh.
   */
  private async requeue(candidate: { id: string; version: number; requeues: number }, lastJob: LastRenderJob | null): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [locked] = (await manager.query(`SELECT version FROM "case" WHERE id = $1 AND status = 'APPROVED' FOR UPDATE`, [
        candidate.id,
      ])) as { version: number }[];
      if (locked?.version !== candidate.version) return false;
      await this.outbox.add(manager, EVISA_JOBS.RenderEvisa, { caseId: candidate.id }, { caseId: candidate.id });
      await this.spine.recordEvent(manager, {
        caseId: candidate.id,
        expectedVersion: locked.version,
        actor: RECOVERY_ACTOR,
        type: RENDER_REQUEUED_EVENT,
        visibility: 'internal',
        payload: { requeue: candidate.requeues + 1, lostJob: lastJob },
      });
      return true;
    });
  }
}
