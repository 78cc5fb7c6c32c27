import { Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { JobDeclaration } from '../queue/jobs.js';
import { SqlParams } from '../sql-params.js';
import { OutboxWake } from './outbox.wake.js';

/**
 * Jobs are never sent to Redis directly from a command: they are written here, in the caller's
 * transaction, and the relay forwards them once that transaction has committed.
 */
@Injectable()
export class OutboxWriter {
  constructor(@Optional() private readonly wake?: OutboxWake) {}

  async add<P>(
    manager: EntityManager,
    job: JobDeclaration<P>,
    payload: NoInfer<P>,
    options: { caseId?: string; availableAt?: Date } = {},
  ): Promise<string> {
    const params = new SqlParams();
    const { id, sql } = this.insertFor(params, job, payload, options);
    await manager.query(sql, params.values);
    this.written(manager);
    return id;
  }

  /**
   * The outbox INSERT as SQL for a caller that folds it into a statement of its own (one round trip
   * instead of two), with its values added to `params`. With `from`, the row is written only if that
   * relation (a CTE of the same statement) yields a row. The caller must call `written` once the
   * statement has run.
   */
  insertFor<P>(
    params: SqlParams,
    job: JobDeclaration<P>,
    payload: NoInfer<P>,
    options: { caseId?: string; availableAt?: Date; from?: string } = {},
  ): { id: string; sql: string } {
    const id = randomUUID();
    const values = [
      params.add(id, 'uuid'),
      params.add(job.queue, 'text'),
      params.add(job.name, 'text'),
      params.add(JSON.stringify(payload), 'jsonb'),
      params.add(options.caseId ?? null, 'uuid'),
      params.add(options.availableAt ?? new Date(), 'timestamptz'),
    ].join(', ');
    const source = options.from ? `SELECT ${values} FROM ${options.from}` : `VALUES (${values})`;
    return { id, sql: `INSERT INTO outbox (id, queue, job_name, payload, case_id, available_at) ${source}` };
  }

  /** Wakes the relay for a row just written: at once outside a transaction; inside one, after its commit. */
  written(manager: EntityManager): void {
    if (OutboxWake.written(manager)) this.wake?.wake();
  }
}
