import { defineJob, QueueName } from '@app/cases';

export const ABTC_JOBS = {
  /** An ABTC was issued: render the card PDF listing the economies that pre-cleared the holder. */
  RenderCard: defineJob<{ caseId: string }>('render-abtc-card', { queue: QueueName.Documents }),
} as const;
