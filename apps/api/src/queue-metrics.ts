import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Metrics } from '@app/platform';
import { QueueRegistry } from '@app/cases';

/** Queue depths and outbox lag, computed when Prometheus scrapes. */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly queues: QueueRegistry,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('queue_jobs', 'BullMQ jobs by queue and state', ['queue', 'state'], async (gauge) => {
      gauge.reset();
      if (!this.queues.redisReady) return;
      const depths = await this.queues.depths();
      for (const [queue, counts] of Object.entries(depths)) {
        for (const [state, count] of Object.entries(counts)) gauge.set({ queue, state }, count);
      }
    });
    this.metrics.gauge('outbox_pending', 'Outbox rows not yet forwarded to BullMQ', [], async (gauge) => {
      const [row] = (await this.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL`)) as { n: number }[];
      gauge.set(row?.n ?? 0);
    });
    this.metrics.gauge('outbox_lag_seconds', 'Age of the oldest outbox row not yet forwarded', [], async (gauge) => {
      const [row] = (await this.dataSource.query(
        `SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(available_at)), 0)::float AS lag FROM outbox WHERE dispatched_at IS NULL`,
      )) as { lag: number }[];
      gauge.set(Math.max(0, row?.lag ?? 0));
    });
  }
}
