import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { type CaseEvent, type CaseRecord, ServiceCatalogue } from '@app/cases';
import { APP_CONFIG, type AppConfig, FieldCipher, SignedTokens } from '@app/platform';
import { caseViewUrl, statusPageUrl, unsubscribeUrl } from './case-links.js';
import { isEssentialEvent } from './case-status-words.js';
import { type Accepted, DeliveryError } from './channels/delivery-error.js';
import { EmailSender, mailDomainOf } from './channels/email.sender.js';
import { isEmailAddress, maskEmail, maskPhone, redactContacts, toE164 } from './channels/recipients.js';
import { SmsSender } from './channels/sms.sender.js';
import { type Channel, NotificationRecord, type NotificationStatus } from './entities/notification.entity.js';
import { MessageRenderer } from './message-renderer.js';
import { NotificationPreferences } from './notification-preferences.service.js';

/** Events of one case this close together go out as one message (a digest), e.g. ABTC clearances. */
export const DIGEST_WINDOW_SECONDS = 60;

export interface DeliveryTarget {
  caseRecord: CaseRecord;
  event: CaseEvent;
  channel: Channel;
  /** The applicant's address or phone number as stored on the case (decrypted). */
  recipient: string;
}

export type DeliveryOutcome =
  | { channel: Channel; state: NotificationStatus | 'not-applicable'; notificationId: string | null; error?: string }
  | { channel: Channel; state: 'retry'; notificationId: string; error: string };

const IN_FLIGHT = Symbol('in-flight');

/** UPDATE … RETURNING through TypeORM answers [rows, count]; other statements answer rows. */
function returned<T>(result: unknown): T[] {
  const value = result as unknown[];
  return (Array.isArray(value[0]) ? value[0] : value) as T[];
}

/**
 * Delivers one (case, event, channel) message at most once.
 *
 * 1. claim: in a transaction holding an advisory lock on (case, channel), find the row for
 *    (case, event, channel) or create it `queued` — together with `covered` rows for every other
 *    pending applicant-visible event of the case within DIGEST_WINDOW_SECONDS, which this message
 *    lists. The unique key (case_id, event_seq, channel) makes a second row impossible.
 * 2. send: `queued → sending` by a conditional UPDATE (only one attempt can win it), then the
 *    provider call, then `sending → sent` with the provider's message id. A refusal is
 *    `failed` (permanent) or back to `queued` for BullMQ's retry (temporary); a connection that
 *    broke while the message was being handed over is `unknown`, like case 3.
 * 3. a row found in `sending` from an earlier attempt: if its lease (NOTIFICATION_LEASE_SECONDS,
 *    longer than one SMTP conversation) is still running, another attempt may be mid-send, so
 *    this one backs off (retry). Past the lease, the earlier attempt died between handing the
 *    message over and recording the answer. We never resend blindly:
 *    a provider that can answer (the SMS adapters' `confirm`) decides sent / send again; SMTP
 *    cannot, so the row becomes `unknown` and waits for a supervisor, who sees it in the
 *    failed-delivery list and may resend. Every message carries a Message-ID derived from the
 *    notification id (`<id@sender-domain>`), the same on a resend, so a copy that did arrive
 *    is recognisable as the same message by the recipient's mail system and by support staff.
 */
@Injectable()
export class NotificationDelivery {
  private readonly logger = new Logger(NotificationDelivery.name);
  private readonly messageIdDomain: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: FieldCipher,
    private readonly tokens: SignedTokens,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly renderer: MessageRenderer,
    private readonly email: EmailSender,
    private readonly sms: SmsSender,
    private readonly preferences: NotificationPreferences,
    private readonly catalogue: ServiceCatalogue,
  ) {
    this.messageIdDomain = mailDomainOf(config.mail.from);
  }

  async deliver(target: DeliveryTarget, options: { lastAttempt: boolean }): Promise<DeliveryOutcome> {
    const claimed = await this.claim(target);
    if (!claimed) return { channel: target.channel, state: 'not-applicable', notificationId: null };
    const row = claimed.status === 'sending' ? await this.recover(claimed) : claimed;
    if (row === IN_FLIGHT) {
      return {
        channel: target.channel,
        state: 'retry',
        notificationId: claimed.id,
        error: 'an earlier attempt is still sending this message',
      };
    }
    if (row.status !== 'queued') return { channel: target.channel, state: row.status, notificationId: row.id };
    return this.send(row, target, options.lastAttempt);
  }

  /** Finds or creates the row for (case, event, channel); null when this channel does not carry this event. */
  private async claim(target: DeliveryTarget): Promise<NotificationRecord | null> {
    const { caseRecord, event, channel } = target;
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`notification:${caseRecord.id}:${channel}`]);
      const existing = await manager.findOneBy(NotificationRecord, { caseId: caseRecord.id, eventSeq: event.seq, channel });
      if (existing) return existing;

      const progressUpdates = await this.preferences.progressUpdates(caseRecord.id, manager);
      const carries = (facts: { seq: number; type: string; toStatus: string | null }) =>
        isEssentialEvent(this.catalogue.get(caseRecord.service), facts) || (channel === 'email' && progressUpdates);
      if (!carries(event)) {
        // Texts carry essential messages only; an email the applicant opted out of is recorded as skipped.
        if (channel === 'sms') return null;
        return this.insertRow(manager, target, event.seq, { status: 'skipped', eventSeqs: [event.seq], essential: false });
      }

      const siblings = (
        (await manager.query(
          `SELECT e.seq, e.type, e.to_status AS "toStatus" FROM case_event e
            WHERE e.case_id = $1 AND e.visibility = 'applicant' AND e.seq <> $2
              AND e.created_at BETWEEN $3::timestamptz - make_interval(secs => $4) AND $3::timestamptz + make_interval(secs => $4)
              AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.case_id = e.case_id AND n.event_seq = e.seq AND n.channel = $5)
            ORDER BY e.seq`,
          [caseRecord.id, event.seq, event.createdAt, DIGEST_WINDOW_SECONDS, channel],
        )) as { seq: number; type: string; toStatus: string | null }[]
      ).filter(carries);
      const listed = [event, ...siblings].sort((a, b) => a.seq - b.seq);
      const primary = await this.insertRow(manager, target, event.seq, {
        status: 'queued',
        eventSeqs: listed.map((e) => e.seq),
        essential: listed.some((e) => isEssentialEvent(this.catalogue.get(caseRecord.service), e)),
      });
      for (const sibling of siblings) {
        await this.insertRow(manager, target, sibling.seq, {
          status: 'covered',
          eventSeqs: [sibling.seq],
          essential: isEssentialEvent(this.catalogue.get(caseRecord.service), sibling),
          coveredBy: primary.id,
        });
      }
      return primary;
    });
  }

  private async insertRow(
    manager: EntityManager,
    target: DeliveryTarget,
    eventSeq: number,
    row: { status: NotificationStatus; eventSeqs: number[]; essential: boolean; coveredBy?: string },
  ): Promise<NotificationRecord> {
    const id = randomUUID();
    const recipient = target.channel === 'sms' ? (toE164(target.recipient) ?? target.recipient) : target.recipient.trim();
    await manager.query(
      `INSERT INTO notification (id, case_id, event_seq, channel, template, locale, recipient, recipient_masked, status, essential,
                                 event_seqs, covered_by, message_id, last_error)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
      [
        id,
        target.caseRecord.id,
        eventSeq,
        target.channel,
        row.eventSeqs.length > 1 || row.coveredBy ? 'case-update-digest' : 'case-update',
        target.caseRecord.locale,
        this.cipher.encrypt(recipient, `notification.recipient:${id}`),
        target.channel === 'email' ? maskEmail(recipient) : maskPhone(recipient),
        row.status,
        row.essential,
        row.eventSeqs,
        row.coveredBy ?? null,
        `${id}@${this.messageIdDomain}`,
        row.status === 'skipped' ? 'The applicant turned off progress updates for this case.' : null,
      ],
    );
    return manager.findOneByOrFail(NotificationRecord, { id });
  }

  /** A row left in `sending`: see the class comment. */
  private async recover(row: NotificationRecord): Promise<NotificationRecord | typeof IN_FLIGHT> {
    const [lease] = (await this.dataSource.query(
      `SELECT sending_started_at > now() - make_interval(secs => $2) AS running FROM notification WHERE id = $1`,
      [row.id, this.config.notifications.sendLeaseSeconds],
    )) as { running: boolean }[];
    if (lease?.running) return IN_FLIGHT;
    const answer = row.channel === 'sms' ? await this.sms.confirm(row.id) : undefined;
    if (answer) {
      await this.recordAccepted(row.id, answer);
    } else if (answer === null) {
      await this.dataSource.query(
        `UPDATE notification SET status = 'queued', last_error = $2, updated_at = now() WHERE id = $1 AND status = 'sending'`,
        [row.id, 'An earlier attempt stopped before the provider accepted the message; sending again.'],
      );
    } else {
      await this.dataSource.query(
        `UPDATE notification SET status = 'unknown', last_error = $2, updated_at = now() WHERE id = $1 AND status = 'sending'`,
        [
          row.id,
          'An earlier attempt stopped after handing the message to the mail server and before recording its answer: ' +
            'it may have been delivered. Not resent automatically; check with the applicant before resending.',
        ],
      );
      this.logger.warn(`notification ${row.id}: delivery unknown after an interrupted attempt`);
    }
    return this.dataSource.manager.findOneByOrFail(NotificationRecord, { id: row.id });
  }

  private async send(row: NotificationRecord, target: DeliveryTarget, lastAttempt: boolean): Promise<DeliveryOutcome> {
    const won = returned<{ attempts: number }>(
      await this.dataSource.query(
        `UPDATE notification SET status = 'sending', attempts = attempts + 1, sending_started_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'queued' RETURNING attempts`,
        [row.id],
      ),
    );
    if (won.length === 0) {
      // Another attempt took it between our read and this update.
      const now = await this.dataSource.manager.findOneByOrFail(NotificationRecord, { id: row.id });
      if (now.status === 'sending' || now.status === 'queued') {
        return { channel: row.channel, state: 'retry', notificationId: row.id, error: 'another attempt is sending this message' };
      }
      return { channel: row.channel, state: now.status, notificationId: row.id };
    }

    let accepted: Accepted;
    try {
      accepted = await this.handOver(row, target);
    } catch (error) {
      return this.recordFailure(row, error, lastAttempt, won[0]!.attempts);
    }
    // Outside the try: if recording fails (the process dies, the database is away), the row stays
    // `sending` and the next attempt takes the recovery path instead of sending a second copy.
    await this.recordAccepted(row.id, accepted);
    return { channel: row.channel, state: 'sent', notificationId: row.id };
  }

  private async handOver(row: NotificationRecord, target: DeliveryTarget): Promise<Accepted> {
    const recipient = this.cipher.decrypt(row.recipient, `notification.recipient:${row.id}`);
    if (row.channel === 'email' && !isEmailAddress(recipient)) throw new DeliveryError('invalid email address', 'permanent');
    if (row.channel === 'sms' && !toE164(recipient)) throw new DeliveryError('invalid phone number', 'permanent');
    const message = await this.compose(row, target.caseRecord);
    if (row.channel === 'email') {
      return this.email.send({
        to: recipient,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: row.messageId,
        headers: {
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
          ...(message.unsubscribeUrl ? { 'List-Unsubscribe': `<${message.unsubscribeUrl}>` } : {}),
        },
      });
    }
    return this.sms.send({ to: recipient, body: message.sms, idempotencyKey: row.id });
  }

  private async compose(row: NotificationRecord, caseRecord: CaseRecord) {
    const events = (await this.dataSource.query(
      `SELECT seq, type, to_status AS "toStatus", created_at AS "createdAt" FROM case_event WHERE case_id = $1 AND seq = ANY($2) ORDER BY seq`,
      [caseRecord.id, row.eventSeqs],
    )) as { seq: number; type: string; toStatus: string | null; createdAt: Date }[];
    const [post] = (await this.dataSource.query(`SELECT time_zone FROM post WHERE code = $1`, [caseRecord.postCode])) as {
      time_zone: string;
    }[];
    const unsubscribe = row.essential ? null : unsubscribeUrl(this.tokens, this.config.publicBaseUrl, caseRecord.id);
    const rendered = this.renderer.render({
      locale: row.locale,
      reference: caseRecord.reference,
      service: caseRecord.service,
      events,
      caseStatus: caseRecord.status,
      timeZone: post?.time_zone ?? 'UTC',
      essential: row.essential,
      viewUrl: caseViewUrl(this.tokens, this.config.publicBaseUrl, caseRecord.id),
      statusUrl: statusPageUrl(this.config.publicBaseUrl),
      unsubscribeUrl: unsubscribe,
    });
    return { ...rendered, unsubscribeUrl: unsubscribe };
  }

  private async recordAccepted(id: string, accepted: Accepted): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification SET status = 'sent', provider_message_id = $2, sent_at = now(), last_error = NULL, updated_at = now()
        WHERE id = $1 AND status IN ('sending', 'unknown')`,
      [id, accepted.providerMessageId],
    );
  }

  private async recordFailure(row: NotificationRecord, error: unknown, lastAttempt: boolean, attempts: number): Promise<DeliveryOutcome> {
    const kind = error instanceof DeliveryError ? error.kind : 'temporary';
    const reason = redactContacts((error instanceof Error ? error.message : String(error)).slice(0, 500));
    const settle = async (status: 'failed' | 'unknown' | 'queued', lastError: string) => {
      await this.dataSource.query(
        `UPDATE notification SET status = $2, last_error = $3, updated_at = now() WHERE id = $1 AND status = 'sending'`,
        [row.id, status, lastError],
      );
    };
    if (kind === 'ambiguous') {
      const lastError = `The connection broke while the message was being handed over, so it may have been delivered; not resent automatically. ${reason}`;
      await settle('unknown', lastError);
      this.logger.warn(`notification ${row.id}: delivery unknown (${reason})`);
      return { channel: row.channel, state: 'unknown', notificationId: row.id };
    }
    if (kind === 'permanent' || lastAttempt) {
      const lastError = kind === 'permanent' ? reason : `Gave up after ${attempts} attempts: ${reason}`;
      await settle('failed', lastError);
      return { channel: row.channel, state: 'failed', notificationId: row.id, error: lastError };
    }
    await settle('queued', reason);
    return { channel: row.channel, state: 'retry', notificationId: row.id, error: reason };
  }
}
