import { Injectable } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { CaseEvent, CaseRecord, CaseSpine, CORE_JOBS, OnJob, type PayloadOf } from '@app/cases';
import { SmsSender } from './channels/sms.sender.js';
import type { Channel } from './entities/notification.entity.js';
import { type DeliveryOutcome, NotificationDelivery } from './notification-delivery.service.js';

/** The parts of a BullMQ job the handler reads: which attempt this is. */
export type AttemptInfo = Pick<Job, 'attemptsMade' | 'opts'>;

export interface NotifyResult {
  caseId: string;
  eventSeq: number;
  deliveries: DeliveryOutcome[];
}

/**
 * Turns an applicant-visible case event into an email and, for essential events, a text, each
 * delivered at most once (NotificationDelivery). The job fails for a retry — BullMQ's
 * exponential backoff from JOBS — while any channel had a temporary failure, and fails with
 * UnrecoverableError (no retry) when a channel was refused for good. Channels already settled
 * are not touched again by the retry.
 */
@Injectable()
export class CaseEventNotifier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly delivery: NotificationDelivery,
    private readonly sms: SmsSender,
  ) {}

  @OnJob(CORE_JOBS.NotifyCaseEvent)
  async handle(payload: PayloadOf<typeof CORE_JOBS.NotifyCaseEvent>, job?: AttemptInfo): Promise<NotifyResult> {
    const result: NotifyResult = { caseId: payload.caseId, eventSeq: payload.eventSeq, deliveries: [] };
    const caseRecord = await this.dataSource.manager.findOneBy(CaseRecord, { id: payload.caseId });
    const event = caseRecord ? await this.dataSource.manager.findOneBy(CaseEvent, { caseId: caseRecord.id, seq: payload.eventSeq }) : null;
    if (!caseRecord || !event || event.visibility !== 'applicant') return result;

    const contact = this.spine.decryptApplicant(caseRecord);
    const recipients: [Channel, string | null][] = [
      ['email', contact.email],
      ['sms', this.sms.enabled ? contact.phone : null],
    ];
    const lastAttempt = job ? job.attemptsMade + 1 >= (job.opts.attempts ?? 1) : false;
    for (const [channel, recipient] of recipients) {
      if (!recipient) continue;
      result.deliveries.push(await this.delivery.deliver({ caseRecord, event, channel, recipient }, { lastAttempt }));
    }

    const temporary = result.deliveries.find((d) => d.state === 'retry');
    if (temporary) throw new Error(`${temporary.channel}: ${temporary.error}`);
    const refused = result.deliveries.find((d) => d.state === 'failed' && d.error);
    if (refused) throw new UnrecoverableError(`${refused.channel}: ${refused.error}`);
    return result;
  }
}
