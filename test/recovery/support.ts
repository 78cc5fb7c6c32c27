import type { INestApplicationContext } from '@nestjs/common';
import { type Queue, QueueEvents } from 'bullmq';
import { type JobDeclaration, QueueRegistry } from '@app/cases';
import type { AppConfig } from '@app/platform';
import { eventually } from '../harness/context.js';

/**
 * A repeatable job runs once as soon as the worker schedules it. The tests wait for those first
 * runs before they set anything up, so a start-up run never does their work behind their back.
 */
export async function firstScheduledRuns(worker: INestApplicationContext, declared: JobDeclaration<never>[]): Promise<void> {
  const registry = worker.get(QueueRegistry);
  for (const { name, queue: queueName } of declared) {
    const queue = registry.get(queueName);
    const finished = await eventually(
      async () => (await queue.getJobs(['completed', 'failed'])).filter((job) => job.name === name),
      (jobs) => jobs.length > 0,
      60_000,
    );
    if (finished.length === 0) throw new Error(`the worker never ran ${name}`);
  }
}

/** Runs a repeatable job now, through the queue and the worker's handler, and answers its return value. */
export class JobRunner {
  private readonly events = new Map<Queue, QueueEvents>();

  constructor(
    private readonly config: AppConfig,
    private readonly registry: QueueRegistry,
  ) {}

  async run<T>(declared: JobDeclaration<never>): Promise<T> {
    const queue = this.registry.get(declared.queue);
    let events = this.events.get(queue);
    if (!events) {
      events = new QueueEvents(queue.name, { connection: { url: this.config.redisUrl }, prefix: this.config.queuePrefix });
      await events.waitUntilReady();
      this.events.set(queue, events);
    }
    const job = await queue.add(declared.name, {}, declared.options);
    return (await job.waitUntilFinished(events, 60_000)) as T;
  }

  async close(): Promise<void> {
    await Promise.all([...this.events.values()].map((events) => events.close()));
  }
}
