import type { JobsOptions } from 'bullmq';

/** Every queue in the system. Jobs are declared where they belong: the platform's below, each service's in its definition. */
export enum QueueName {
  Documents = 'documents',
  Notifications = 'notifications',
}

const ONE_DAY_SECONDS = 24 * 3600;

/**
 * Retries back off exponentially; completed jobs are kept a day (or the last 10,000) for
 * inspection in Bull Board; failed jobs are kept until someone looks at them.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: ONE_DAY_SECONDS, count: 10_000 },
  removeOnFail: false,
};

/**
 * Repeatable jobs: a failed run is tried three times within its interval, then the next scheduled
 * run tries again; the last 100 runs stay in Bull Board with what each did as their return value.
 */
export function repeatableJobOptions(backoffDelayMs: number): JobsOptions {
  return {
    attempts: 3,
    backoff: { type: 'exponential', delay: backoffDelayMs },
    removeOnComplete: { count: 100 },
    removeOnFail: { count: 1000 },
  };
}

/**
 * One kind of job: its name (the BullMQ job name and the outbox's `job_name`), its queue and
 * options, and the type of its payload, so that writing and handling it are checked.
 */
export interface JobDeclaration<P> {
  readonly name: string;
  readonly queue: QueueName;
  readonly options: JobsOptions;
  /** Repeatable jobs are scheduled by the worker at start-up instead of coming through the outbox. */
  readonly everyMs?: number;
  /** Type only: carries the payload type. */
  readonly payloadType?: (payload: P) => void;
}

export type PayloadOf<J> = J extends JobDeclaration<infer P> ? P : never;

export function defineJob<P>(name: string, spec: { queue: QueueName; options?: JobsOptions; everyMs?: number }): JobDeclaration<P> {
  return { name, queue: spec.queue, options: spec.options ?? DEFAULT_JOB_OPTIONS, ...(spec.everyMs && { everyMs: spec.everyMs }) };
}

type NoPayload = Record<string, never>;

/** The platform's own jobs; a service's jobs are in its ServiceDefinition. */
export const CORE_JOBS = {
  /** An applicant-visible case event: tell the applicant by email and SMS. */
  NotifyCaseEvent: defineJob<{ caseId: string; eventSeq: number }>('notify-case-event', { queue: QueueName.Notifications }),
  /** A case passed its SLA: email the post's supervisors (the in-app alert is written with the escalation). */
  EmailSlaBreach: defineJob<{ caseId: string; dueAt: string }>('email-sla-breach', { queue: QueueName.Notifications }),
  /** Every minute: alert supervisors about cases past their SLA, once per case and due time. */
  EscalateOverdueCases: defineJob<NoPayload>('escalate-overdue-cases', {
    queue: QueueName.Notifications,
    options: repeatableJobOptions(5000),
    everyMs: 60_000,
  }),
  // Beside the SLA escalation rather than on "documents", whose two slots are for PDF rendering.
  /** Every hour: anonymise cases closed for longer than RETENTION_CLOSED_CASE_DAYS, a batch at a time. */
  AnonymiseClosedCases: defineJob<NoPayload>('anonymise-closed-cases', {
    queue: QueueName.Notifications,
    options: repeatableJobOptions(60_000),
    everyMs: 3_600_000,
  }),
  /** Every hour: delete stored bytes older than an hour that no file row names (a write whose transaction never committed). */
  SweepOrphanFiles: defineJob<NoPayload>('sweep-orphan-files', {
    queue: QueueName.Notifications,
    options: repeatableJobOptions(60_000),
    everyMs: 3_600_000,
  }),
} as const;
