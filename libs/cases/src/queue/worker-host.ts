import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Histogram } from 'prom-client';
import { APP_CONFIG, type AppConfig, createQueueConnection, Metrics } from '@app/platform';
import { JobCatalogue } from './job-catalogue.js';
import { type JobDeclaration, QueueName } from './jobs.js';
import { ON_JOB } from './on-job.decorator.js';
import { QueueRegistry } from './queue-registry.js';

type Handler = (payload: unknown, job: Job) => Promise<unknown>;

export const WORKER_CONCURRENCY = Symbol('WORKER_CONCURRENCY');
export type WorkerConcurrency = Partial<Record<QueueName, number>>;

/**
 * How often a job may be found stalled (its worker died or hung while holding it) and go back to
 * waiting; one more stall and BullMQ fails it. Documents stay at BullMQ's default of 1, on purpose:
 * a render that has killed its worker twice is more likely a poison job (a photo or a name that
 * blows the heap or crashes pdfkit) than bad luck, and every retry of it would also take down the
 * notifications worker in the same process. A render lost this way is not lost for good: the
 * eVisa's lost-render recovery renders again any eVisa approved without its document, with a growing wait.
 */
const MAX_STALLED_COUNT: Partial<Record<QueueName, number>> = { [QueueName.Documents]: 1 };

/**
 * Finds every @OnJob handler, refuses to start if a declared job has none (or two), and runs one
 * BullMQ Worker per queue that dispatches each job to its handler by name.
 */
@Injectable()
export class WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerHost.name);
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];
  private handlers = new Map<string, Handler>();
  private readonly jobsFinished: Counter;
  private readonly jobDuration: Histogram;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WORKER_CONCURRENCY) private readonly concurrency: WorkerConcurrency,
    private readonly queues: QueueRegistry,
    private readonly jobs: JobCatalogue,
    metrics: Metrics,
  ) {
    this.jobsFinished = new Counter({
      name: 'worker_jobs_total',
      help: 'Jobs this worker finished, by queue, job name and outcome (a failed attempt counts once per attempt)',
      labelNames: ['queue', 'job', 'outcome'],
      registers: [metrics.registry],
    });
    this.jobDuration = new Histogram({
      name: 'worker_job_duration_seconds',
      help: 'Time from a job starting on this worker to its end, by queue and job name',
      labelNames: ['queue', 'job'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60],
      registers: [metrics.registry],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.handlers = this.discoverHandlers();
    for (const queue of Object.values(QueueName)) {
      const connection = createQueueConnection(this.config.redisUrl, `consular-worker-${queue}`);
      connection.on('error', () => undefined);
      this.connections.push(connection);
      const worker = new Worker(queue, (job) => this.dispatch(job), {
        connection,
        prefix: this.config.queuePrefix,
        concurrency: this.concurrency[queue] ?? 4,
        lockDuration: this.config.queueJobLockSeconds * 1000,
        stalledInterval: this.config.queueJobLockSeconds * 1000,
        ...(MAX_STALLED_COUNT[queue] !== undefined && { maxStalledCount: MAX_STALLED_COUNT[queue] }),
        autorun: true,
      });
      worker.on('completed', (job) => this.count(queue, job, 'completed'));
      worker.on('failed', (job, error) => {
        this.count(queue, job, 'failed');
        this.logger.warn(
          `${queue}/${job?.name ?? '?'} job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`,
        );
      });
      worker.on('error', (error) => this.logger.warn(`${queue} worker: ${error.message}`));
      this.workers.push(worker);
    }
    await this.scheduleRepeatableJobs();
    this.logger.log(`workers started for ${Object.values(QueueName).join(', ')} with ${this.handlers.size} job handlers`);
  }

  /** Upserts one scheduler per repeatable job; any number of workers doing this still yields one schedule. */
  private async scheduleRepeatableJobs(): Promise<void> {
    for (const job of this.jobs.all()) {
      if (!job.everyMs) continue;
      await this.queues
        .get(job.queue)
        .upsertJobScheduler(job.name, { every: job.everyMs }, { name: job.name, data: {}, opts: job.options });
    }
  }

  /** Workers close before the queues and connections they use (queues close in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    this.connections.forEach((connection) => connection.disconnect());
  }

  private count(queue: QueueName, job: Job | undefined, outcome: 'completed' | 'failed'): void {
    const name = job?.name ?? 'unknown';
    this.jobsFinished.inc({ queue, job: name, outcome });
    if (job?.processedOn && job.finishedOn) this.jobDuration.observe({ queue, job: name }, (job.finishedOn - job.processedOn) / 1000);
  }

  private async dispatch(job: Job): Promise<unknown> {
    const handler = this.handlers.get(job.name);
    if (!handler) throw new Error(`no handler for job "${job.name}"`);
    return handler(job.data, job);
  }

  private discoverHandlers(): Map<string, Handler> {
    const found = new Map<string, Handler>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const name = this.reflector.get<string | undefined>(ON_JOB, fn as (...args: unknown[]) => unknown);
        if (!name) continue;
        if (found.has(name)) throw new Error(`job "${name}" has two handlers`);
        if (!this.jobs.find(name)) throw new Error(`refusing to start: @OnJob("${name}") handles a job no one declares`);
        found.set(name, (payload, job) => (fn as Handler).call(instance, payload, job));
      }
    }
    assertEveryJobHandled(found, this.jobs.all());
    return found;
  }
}

export function assertEveryJobHandled(handlers: ReadonlyMap<string, unknown>, declared: readonly JobDeclaration<never>[]): void {
  const missing = declared.map((job) => job.name).filter((name) => !handlers.has(name));
  if (missing.length > 0) {
    throw new Error(`refusing to start: no handler for job${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
}
