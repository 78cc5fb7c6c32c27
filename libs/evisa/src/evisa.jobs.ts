import { defineJob, QueueName, repeatableJobOptions } from '@app/cases';

export const EVISA_JOBS = {
  /** An eVisa was approved: render its PDF (MRZ, seal) and mark the case ISSUED. */
  RenderEvisa: defineJob<{ caseId: string }>('render-evisa', { queue: QueueName.Documents }),
  /** A draft got an email address: send the applicant the link to resume it. No token or personal data in the payload. */
  SendDraftResumeLink: defineJob<{ caseId: string }>('send-draft-resume-link', { queue: QueueName.Notifications }),
  /**
   * Every 5 minutes: render again the eVisas approved a while ago whose document never came (a
   * render job lost or failed). On "notifications" beside the other sweeps: it only reads and
   * writes rows; the renders it queues go to "documents".
   */
  RequeueLostRenders: defineJob<Record<string, never>>('requeue-lost-renders', {
    queue: QueueName.Notifications,
    options: repeatableJobOptions(10_000),
    everyMs: 5 * 60_000,
  }),
} as const;
