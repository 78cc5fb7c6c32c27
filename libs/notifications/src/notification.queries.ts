import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CORE_JOBS, OutboxWriter } from '@app/cases';
import { APP_CONFIG, type AppConfig, DomainException, ValidationException } from '@app/platform';
import type { Channel, NotificationStatus } from './entities/notification.entity.js';
import { NotificationErrors } from './errors.js';

/** A delivery as officers see it: the recipient masked, never decrypted. */
export interface DeliveryView {
  id: string;
  caseId: string;
  reference: string;
  service: string;
  eventSeq: number;
  eventSeqs: number[];
  channel: Channel;
  template: string;
  locale: string;
  recipient: string;
  status: NotificationStatus;
  essential: boolean;
  coveredBy: string | null;
  attempts: number;
  resends: number;
  providerMessageId: string | null;
  lastError: string | null;
  sentAt: Date | null;
  updatedAt: Date;
}

export interface DeliveryPage {
  items: DeliveryView[];
  /** Pass back as `after` for the next page; null on the last one. */
  next: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SELECT_VIEW = `
  SELECT n.id, n.case_id AS "caseId", c.reference, c.service, n.event_seq AS "eventSeq", n.event_seqs AS "eventSeqs", n.channel,
         n.template, n.locale, n.recipient_masked AS recipient, n.status, n.essential, n.covered_by AS "coveredBy", n.attempts,
         n.resends, n.provider_message_id AS "providerMessageId", n.last_error AS "lastError", n.sent_at AS "sentAt",
         n.updated_at AS "updatedAt"
    FROM notification n JOIN "case" c ON c.id = n.case_id`;

@Injectable()
export class NotificationQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every delivery of a case, oldest first: what an officer sees on the case (failures included). */
  async notificationsForCase(caseId: string): Promise<DeliveryView[]> {
    return (await this.dataSource.query(`${SELECT_VIEW} WHERE n.case_id = $1 ORDER BY n.created_at, n.event_seq, n.channel`, [
      caseId,
    ])) as DeliveryView[];
  }

  async delivery(id: string): Promise<DeliveryView | null> {
    if (!UUID.test(id)) return null;
    const [view] = (await this.dataSource.query(`${SELECT_VIEW} WHERE n.id = $1`, [id])) as DeliveryView[];
    return view ?? null;
  }

  /**
   * Deliveries that need a supervisor, newest first, by keyset: failed, unknown, and any still
   * `sending` long after its lease (its job gave up while an earlier attempt's fate was open).
   */
  async failedDeliveries(options: { after?: string | null; limit?: number } = {}): Promise<DeliveryPage> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
    const cursor = decodeCursor(options.after);
    const rows = (await this.dataSource.query(
      `${SELECT_VIEW}
        WHERE (n.status IN ('failed', 'unknown') OR (n.status = 'sending' AND n.sending_started_at < now() - make_interval(secs => $4)))
          AND ($1::timestamptz IS NULL OR (n.updated_at, n.id) < ($1::timestamptz, $2::uuid))
        ORDER BY n.updated_at DESC, n.id DESC
        LIMIT $3`,
      [cursor?.at ?? null, cursor?.id ?? null, limit + 1, this.config.notifications.sendLeaseSeconds],
    )) as DeliveryView[];
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, next: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /**
   * Sends a failed or unknown delivery again, as a new outbox job for its event: the row goes
   * back to `queued` (same id, same Message-ID) and the job finds it there.
   */
  async resend(notificationId: string): Promise<DeliveryView> {
    if (!UUID.test(notificationId)) throw new DomainException(NotificationErrors.NOTIFICATION_NOT_FOUND, 'No such delivery.');
    await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT case_id, event_seq, status, sending_started_at < now() - make_interval(secs => $2) AS stale
           FROM notification WHERE id = $1 FOR UPDATE`,
        [notificationId, this.config.notifications.sendLeaseSeconds],
      )) as { case_id: string; event_seq: number; status: NotificationStatus; stale: boolean | null }[];
      if (!row) throw new DomainException(NotificationErrors.NOTIFICATION_NOT_FOUND, 'No such delivery.');
      if (row.status !== 'failed' && row.status !== 'unknown' && !(row.status === 'sending' && row.stale)) {
        throw new DomainException(
          NotificationErrors.NOTIFICATION_NOT_RESENDABLE,
          `Only failed deliveries or deliveries of unknown outcome can be resent; this one is ${row.status}.`,
          { status: row.status },
        );
      }
      await manager.query(
        `UPDATE notification SET status = 'queued', resends = resends + 1, sending_started_at = NULL, updated_at = now() WHERE id = $1`,
        [notificationId],
      );
      await this.outbox.add(manager, CORE_JOBS.NotifyCaseEvent, { caseId: row.case_id, eventSeq: row.event_seq }, { caseId: row.case_id });
    });
    return (await this.delivery(notificationId))!;
  }
}

function encodeCursor(row: DeliveryView): string {
  return Buffer.from(JSON.stringify([new Date(row.updatedAt).toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string | null | undefined): { at: string; id: string } | null {
  if (!cursor) return null;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string' && UUID.test(id)) {
      return { at, id };
    }
  } catch {
    // fall through: a malformed cursor is a bad request
  }
  throw new ValidationException([{ field: 'after', messages: ['The page cursor is not valid.'] }]);
}
