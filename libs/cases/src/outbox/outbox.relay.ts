import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import pg from 'pg';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { QueueRegistry } from '../queue/queue-registry.js';

const BATCH_SIZE = 100;
const POLL_INTERVAL_MS = 1000;
const MAX_BACKOFF_MS = 10_000;
const ADD_TIMEOUT_MS = 5000;

interface PendingRow {
  id: string;
  job_name: string;
  payload: unknown;
}

/**
 * Forwards committed outbox rows to BullMQ. Rows are claimed with FOR UPDATE SKIP LOCKED, so any
 * number of relays can run side by side without two of them taking the same row; each job's id
 * is the row's id, so a row forwarded twice (a crash between add and commit) is still one job.
 * LISTEN/NOTIFY wakes the relay at once; the poll catches anything a lost notification missed.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener?: pg.Client;
  private timer?: NodeJS.Timeout;
  private running = false;
  private draining?: Promise<void>;
  private wakeRequested = false;
  private backoffMs = 0;
  /** Rows this relay has forwarded since start; read by tests and metrics. */
  forwarded = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueueRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.draining;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** Forwards everything pending now; resolves with how many rows this call forwarded. */
  async drainOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const forwarded = await this.forwardBatch();
      total += forwarded;
      if (forwarded < BATCH_SIZE) return total;
    }
  }

  private async listen(): Promise<void> {
    // LISTEN needs a session of its own; behind PgBouncer (transaction mode) point this at the primary directly.
    const client = new pg.Client({ connectionString: this.config.databaseUrl });
    client.on('error', () => {
      this.listener = undefined;
    });
    client.on('notification', () => this.wake());
    try {
      await client.connect();
      await client.query('LISTEN outbox_pending');
      this.listener = client;
    } catch (error) {
      this.logger.warn(`LISTEN unavailable, polling only: ${(error as Error).message}`);
      await client.end().catch(() => undefined);
    }
  }

  private wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.wakeRequested = true;
      return;
    }
    if (this.backoffMs === 0) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (!this.running || this.draining) return;
    this.wakeRequested = false;
    this.draining = this.drainOnce()
      .then(() => {
        this.backoffMs = 0;
      })
      .catch((error: unknown) => {
        this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(500, this.backoffMs * 2));
        this.logger.warn(`outbox relay paused ${this.backoffMs} ms: ${(error as Error).message}`);
      });
    await this.draining;
    this.draining = undefined;
    if (!this.listener && this.running) await this.listen();
    if (this.running) this.schedule(this.backoffMs || (this.wakeRequested ? 0 : POLL_INTERVAL_MS));
  }

  private async forwardBatch(): Promise<number> {
    if (!this.queues.redisReady) throw new Error('Redis is not reachable; rows stay pending');
    return this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT id, job_name, payload FROM outbox
          WHERE dispatched_at IS NULL AND available_at <= now()
          ORDER BY available_at, created_at
          LIMIT ${BATCH_SIZE}
          FOR UPDATE SKIP LOCKED`,
      )) as PendingRow[];
      if (rows.length === 0) return 0;
      for (const row of rows) {
        if (!this.queues.declares(row.job_name)) throw new Error(`outbox row ${row.id} names an unknown job "${row.job_name}"`);
        await withTimeout(this.queues.add(row.job_name, row.payload, row.id), ADD_TIMEOUT_MS);
      }
      await manager.query(`UPDATE outbox SET dispatched_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])`, [
        rows.map((r) => r.id),
      ]);
      this.forwarded += rows.length;
      return rows.length;
    });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
