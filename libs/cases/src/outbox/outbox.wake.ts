import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager, type EntitySubscriberInterface, type QueryRunner } from 'typeorm';

/** Transactions (by their query runner) that wrote outbox rows and have not committed yet. */
const pendingWake = new WeakSet<QueryRunner>();

/**
 * Wakes the outbox relays (LISTEN outbox_pending) once a transaction that wrote outbox rows has
 * committed. A NOTIFY sent inside the writing transaction would take PostgreSQL's global notify lock
 * at commit and hold it through the commit's WAL flush, so every transaction that enqueues a job
 * would commit one after another: the benchmarks measured 7× fewer such commits per second. Sent
 * after the commit from outside any transaction, the NOTIFY holds that lock only for an instant,
 * and wake-ups that arrive while one is in flight are folded into a single follow-up. The relays
 * also poll, so a lost wake-up only delays a job by their poll interval.
 */
@Injectable()
export class OutboxWake implements EntitySubscriberInterface, OnModuleInit {
  private inFlight = false;
  private again = false;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    if (!this.dataSource.subscribers.includes(this)) this.dataSource.subscribers.push(this);
  }

  /** Called by OutboxWriter for each row: wakes the relays now, or when the row's transaction commits. */
  static written(manager: EntityManager): boolean {
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) {
      pendingWake.add(runner);
      return false;
    }
    return true;
  }

  afterTransactionCommit(event: { queryRunner: QueryRunner }): void {
    const runner = event.queryRunner;
    // A released savepoint is not a commit: wait for the outermost transaction.
    if (runner.isTransactionActive || !pendingWake.has(runner)) return;
    pendingWake.delete(runner);
    this.wake();
  }

  afterTransactionRollback(event: { queryRunner: QueryRunner }): void {
    if (!event.queryRunner.isTransactionActive) pendingWake.delete(event.queryRunner);
  }

  wake(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    this.dataSource
      .query(`SELECT pg_notify('outbox_pending', '')`)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }
}
