import { Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { JobName, type JobPayloads, JOBS } from '../queue/jobs.js';
import { OutboxWake } from './outbox.wake.js';

/**
 * Jobs are never sent to Redis directly from a command: they are written here, in the caller's
 * transaction, and the relay forwards them once that transaction has committed.
 */
@Injectable()
export class OutboxWriter {
  constructor(@Optional() private readonly wake?: OutboxWake) {}

  async add<N extends JobName>(
    manager: EntityManager,
    jobName: N,
    payload: JobPayloads[N],
    options: { caseId?: string; availableAt?: Date } = {},
  ): Promise<string> {
    const id = randomUUID();
    await manager.query(`INSERT INTO outbox (id, queue, job_name, payload, case_id, available_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      id,
      JOBS[jobName].queue,
      jobName,
      JSON.stringify(payload),
      options.caseId ?? null,
      options.availableAt ?? new Date(),
    ]);
    // Outside a transaction the row is already committed; inside one, OutboxWake waits for the commit.
    if (OutboxWake.written(manager)) this.wake?.wake();
    return id;
  }
}
