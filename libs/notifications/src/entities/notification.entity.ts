import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Locale } from '@app/platform';

export type Channel = 'email' | 'sms';
export const CHANNELS: readonly Channel[] = ['email', 'sms'];

/**
 * - queued: recorded, not yet handed to the provider (also after a temporary failure);
 * - sending: handed to the provider, the answer not yet recorded;
 * - sent: the provider accepted it (provider_message_id);
 * - failed: permanently refused, or retries exhausted;
 * - unknown: it may or may not have gone out (an attempt died between "sending" and the
 *   provider's answer, or the connection broke while the message was handed over), so it is not
 *   resent automatically but listed for a supervisor;
 * - covered: this event went out in another notification's digest (covered_by);
 * - skipped: the applicant unsubscribed from non-essential updates.
 */
export type NotificationStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'unknown' | 'covered' | 'skipped';

/** One message for one (case, event, channel): the unique key that stops a second send. */
@Entity({ name: 'notification' })
export class NotificationRecord {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ name: 'event_seq', type: 'integer' })
  eventSeq!: number;

  @Column({ type: 'text' })
  channel!: Channel;

  @Column({ type: 'text' })
  template!: string;

  @Column({ type: 'text' })
  locale!: Locale;

  /** Ciphertext (FieldCipher, context `notification.recipient:<id>`). */
  @Column({ type: 'text' })
  recipient!: string;

  @Column({ name: 'recipient_masked', type: 'text' })
  recipientMasked!: string;

  @Column({ type: 'text' })
  status!: NotificationStatus;

  @Column({ type: 'boolean' })
  essential!: boolean;

  /** Every event this message tells about (more than one for a digest), in order. */
  @Column({ name: 'event_seqs', type: 'integer', array: true })
  eventSeqs!: number[];

  @Column({ name: 'covered_by', type: 'uuid', nullable: true })
  coveredBy!: string | null;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ type: 'integer' })
  resends!: number;

  /** The Message-ID header, derived from the id, so a resend of the same message is recognisable. */
  @Column({ name: 'message_id', type: 'text' })
  messageId!: string;

  @Column({ name: 'provider_message_id', type: 'text', nullable: true })
  providerMessageId!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'sending_started_at', type: 'timestamptz', nullable: true })
  sendingStartedAt!: Date | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
