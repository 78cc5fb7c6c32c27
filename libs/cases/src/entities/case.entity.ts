import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Locale } from '@app/platform';
import type { ServiceId } from '../catalogue/service-definition.js';

/**
 * The spine every service shares. Personal fields hold ciphertext (FieldCipher); `version` is the
 * optimistic lock, checked by `UPDATE … WHERE version = $n` in CaseSpine — never by save().
 */
@Entity({ name: 'case' })
export class CaseRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  reference!: string;

  @Column({ type: 'text' })
  service!: ServiceId;

  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'post_code', type: 'text' })
  postCode!: string;

  @Column({ type: 'smallint' })
  priority!: number;

  @Column({ name: 'applicant_name', type: 'text', nullable: true })
  applicantName!: string | null;

  @Column({ name: 'applicant_email', type: 'text', nullable: true })
  applicantEmail!: string | null;

  @Column({ name: 'applicant_email_index', type: 'text', nullable: true })
  applicantEmailIndex!: string | null;

  @Column({ name: 'applicant_phone', type: 'text', nullable: true })
  applicantPhone!: string | null;

  @Column({ type: 'text' })
  locale!: Locale;

  @Column({ name: 'lookup_key', type: 'text', nullable: true })
  lookupKey!: string | null;

  @Column({ name: 'assigned_officer_id', type: 'uuid', nullable: true })
  assignedOfficerId!: string | null;

  @Column({ name: 'claim_expires_at', type: 'timestamptz', nullable: true })
  claimExpiresAt!: Date | null;

  @Column({ name: 'sla_due_at', type: 'timestamptz', nullable: true })
  slaDueAt!: Date | null;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'event_count', type: 'integer' })
  eventCount!: number;

  @Column({ name: 'last_event_hash', type: 'text', nullable: true })
  lastEventHash!: string | null;

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt!: Date | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  /** When the retention job cleared the applicant's personal data; the case and its history stay. */
  @Column({ name: 'anonymised_at', type: 'timestamptz', nullable: true })
  anonymisedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
