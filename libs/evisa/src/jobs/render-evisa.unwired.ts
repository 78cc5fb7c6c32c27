import { Injectable } from '@nestjs/common';
import { JobName, type JobPayloads, OnJob } from '@app/cases';

/**
 * JobName.RenderEvisa is declared so that approval can queue it in its transaction; the PDF
 * renderer (documents library) and the ISSUED step are wired by the lead. Until then this handler
 * fails the job on purpose, so BullMQ keeps it (failed jobs are never removed) to be retried once
 * the real handler replaces this file. It must not pretend the eVisa was rendered.
 */
@Injectable()
export class RenderEvisaUnwiredHandler {
  @OnJob(JobName.RenderEvisa)
  async handle(payload: JobPayloads[JobName.RenderEvisa]): Promise<never> {
    throw new Error(`eVisa rendering is not wired yet (case ${payload.caseId}); the job stays failed for a retry`);
  }
}
