import type { JobsOptions } from 'bullmq';

/** Every queue and every job in the system is declared here, once. */
export enum QueueName {
  Documents = 'documents',
  Notifications = 'notifications',
}

export enum JobName {
  /** An applicant-visible case event: tell the applicant by email and SMS. */
  NotifyCaseEvent = 'notify-case-event',
  /** An eVisa was approved: render its PDF (MRZ, seal) and mark the case ISSUED. */
  RenderEvisa = 'render-evisa',
  /** An eVisa draft got an email address: send the applicant the link to resume it. */
  SendDraftResumeLink = 'send-draft-resume-link',
  /** Every minute: alert supervisors about cases past their SLA, once per case and due time. */
  EscalateOverdueCases = 'escalate-overdue-cases',
  /** A case passed its SLA: email the post's supervisors (the in-app alert is written with the escalation). */
  EmailSlaBreach = 'email-sla-breach',
  /** Every hour: anonymise cases closed for longer than RETENTION_CLOSED_CASE_DAYS, a batch at a time. */
  AnonymiseClosedCases = 'anonymise-closed-cases',
  /** Every 5 minutes: render again the eVisas approved a while ago whose document never came (a render job lost or failed). */
  RequeueLostRenders = 'requeue-lost-renders',
  /** Every hour: delete stored bytes older than an hour that no file row names (a write whose transaction never committed). */
  SweepOrphanFiles = 'sweep-orphan-files',
  /** Documents were authenticated: render the certificate PDF with its QR code to the public register. */
  RenderAuthenticationCertificate = 'render-authentication-certificate',
  /** An ABTC was issued: render the card PDF listing the economies that pre-cleared the holder. */
  RenderAbtcCard = 'render-abtc-card',
}

export interface JobPayloads {
  [JobName.NotifyCaseEvent]: { caseId: string; eventSeq: number };
  [JobName.RenderEvisa]: { caseId: string };
  // No token or personal data in the payload: the handler builds the link from the case.
  [JobName.SendDraftResumeLink]: { caseId: string };
  [JobName.EscalateOverdueCases]: Record<string, never>;
  [JobName.EmailSlaBreach]: { caseId: string; dueAt: string };
  [JobName.AnonymiseClosedCases]: Record<string, never>;
  [JobName.RequeueLostRenders]: Record<string, never>;
  [JobName.SweepOrphanFiles]: Record<string, never>;
  [JobName.RenderAuthenticationCertificate]: { caseId: string };
  [JobName.RenderAbtcCard]: { caseId: string };
}

const ONE_DAY_SECONDS = 24 * 3600;

/**
 * Retries back off exponentially; completed jobs are kept a day (or the last 10,000) for
 * inspection in Bull Board; failed jobs are kept until someone looks at them.
 */
const DEFAULT_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: ONE_DAY_SECONDS, count: 10_000 },
  removeOnFail: false,
};

export interface JobDefinition {
  queue: QueueName;
  options: JobsOptions;
  /** Repeatable jobs are scheduled by the worker at start-up instead of coming through the outbox. */
  everyMs?: number;
}

/**
 * Repeatable jobs: a failed run is tried three times within its interval, then the next scheduled
 * run tries again; the last 100 runs stay in Bull Board with what each did as their return value.
 */
function repeatableJobOptions(backoffDelayMs: number): JobsOptions {
  return {
    attempts: 3,
    backoff: { type: 'exponential', delay: backoffDelayMs },
    removeOnComplete: { count: 100 },
    removeOnFail: { count: 1000 },
  };
}

export const JOBS: Record<JobName, JobDefinition> = {
  [JobName.NotifyCaseEvent]: { queue: QueueName.Notifications, options: DEFAULT_OPTIONS },
  [JobName.RenderEvisa]: { queue: QueueName.Documents, options: DEFAULT_OPTIONS },
  [JobName.RenderAuthenticationCertificate]: { queue: QueueName.Documents, options: DEFAULT_OPTIONS },
  [JobName.RenderAbtcCard]: { queue: QueueName.Documents, options: DEFAULT_OPTIONS },
  [JobName.SendDraftResumeLink]: { queue: QueueName.Notifications, options: DEFAULT_OPTIONS },
  [JobName.EmailSlaBreach]: { queue: QueueName.Notifications, options: DEFAULT_OPTIONS },
  [JobName.EscalateOverdueCases]: {
    queue: QueueName.Notifications,
    options: repeatableJobOptions(5000),
    everyMs: 60_000,
  },
  // Beside the SLA escalation rather than on "documents", whose two slots are for PDF rendering.
  [JobName.AnonymiseClosedCases]: {
    queue: QueueName.Notifications,
    options: repeatableJobOptions(60_000),
    everyMs: 3_600_000,
  },
  // Both sweeps sit beside the others on "notifications" (they only read and write rows and files;
  // the renders the first one re-queues go to "documents").
  [JobName.RequeueLostRenders]: {
    queue: QueueName.Notifications,
    options: repeatableJobOptions(10_000),
    everyMs: 5 * 60_000,
  },
  [JobName.SweepOrphanFiles]: {
    queue: QueueName.Notifications,
    options: repeatableJobOptions(60_000),
    everyMs: 3_600_000,
  },
};

export function isJobName(value: string): value is JobName {
  return (Object.values(JobName) as string[]).includes(value);
}
