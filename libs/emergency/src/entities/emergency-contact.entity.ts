import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One contact an officer made about an emergency case. The note is ciphertext (`emergency_contact_log.note:<id>`). */
@Entity({ name: 'emergency_contact_log' })
export class EmergencyContact {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ name: 'officer_id', type: 'uuid' })
  officerId!: string;

  @Column({ type: 'text' })
  channel!: string;

  /** Null once erased. */
  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ name: 'shared_with_reporter', type: 'boolean' })
  sharedWithReporter!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
