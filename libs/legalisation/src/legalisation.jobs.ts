import { defineJob, QueueName } from '@app/cases';

export const LEGALISATION_JOBS = {
  /** Documents were authenticated: render the certificate PDF with its QR code to the public register. */
  RenderCertificate: defineJob<{ caseId: string }>('render-authentication-certificate', { queue: QueueName.Documents }),
} as const;
