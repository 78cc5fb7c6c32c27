import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What an emergency report adds to its case. Personal texts are ciphertext (FieldCipher, `emergency_case.<column>:<caseId>`). */
@Entity({ name: 'emergency_case' })
export class EmergencyCase {
  @PrimaryColumn({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  category!: string;

  /** ISO 3166-1 alpha-3 or a country name as the reporter typed it. */
  @Column({ type: 'text' })
  country!: string;

  @Column({ type: 'text' })
  city!: string;

  /** Null once erased. */
  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** The person in trouble; null once erased. */
  @Column({ name: 'person_name', type: 'text', nullable: true })
  personName!: string | null;

  @Column({ type: 'text' })
  relationship!: string;

  @Column({ name: 'family_updates_consent', type: 'boolean' })
  familyUpdatesConsent!: boolean;

  /** 1–4 once an officer has triaged the report. */
  @Column({ name: 'triage_priority', type: 'smallint', nullable: true })
  triagePriority!: number | null;

  @Column({ name: 'first_contact_due_at', type: 'timestamptz' })
  firstContactDueAt!: Date;

  @Column({ name: 'first_contacted_at', type: 'timestamptz', nullable: true })
  firstContactedAt!: Date | null;

  /** Shown to the reporter when the case is resolved (if consent covers it); ciphertext. */
  @Column({ name: 'resolution_note', type: 'text', nullable: true })
  resolutionNote!: string | null;

  /** Blind index of the API client's Idempotency-Key: the same key returns the same report. */
  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
