import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig, createQueueConnection } from '@app/platform';
import { JobCatalogue } from './job-catalogue.js';
import { QueueName } from './jobs.js';

/** One BullMQ Queue per declared queue, on a connection of its own. */
@Injectable()
export class QueueRegistry implements OnApplicationShutdown {
  private readonly connection: Redis;
  private readonly queues: Map<QueueName, Queue>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly jobs: JobCatalogue,
  ) {
    this.connection = createQueueConnection(config.redisUrl, 'consular-queues');
    this.connection.on('error', () => undefined); // reported by /health/ready; the relay backs off
    this.queues = new Map(
      Object.values(QueueName).map((name) => {
        const queue = new Queue(name, { connection: this.connection, prefix: config.queuePrefix });
        queue.on('error', () => undefined); // connection errors surface through redisReady and /health/ready
        return [name, queue];
      }),
    );
  }

  get(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  get redisReady(): boolean {
    return this.connection.status === 'ready';
  }

  declares(jobName: string): boolean {
    return this.jobs.find(jobName) !== undefined;
  }

  /** Adds a job whose id is fixed by the caller (the outbox id), so adding it twice is a no-op. */
  async add(jobName: string, payload: unknown, jobId: string): Promise<void> {
    const { queue, options } = this.jobs.get(jobName);
    await this.get(queue).add(jobName, payload, { ...options, jobId });
  }

  async depths(): Promise<Record<string, Record<string, number>>> {
    const result: Record<string, Record<string, number>> = {};
    for (const queue of this.all()) {
      result[queue.name] = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
    }
    return result;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.all().map((queue) => queue.close()));
    this.connection.disconnect();
  }
}
