import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The applicant's choice about non-essential (progress) updates on one case. No row: they get them. */
@Entity({ name: 'notification_preference' })
export class NotificationPreference {
  @PrimaryColumn({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ name: 'progress_updates', type: 'boolean' })
  progressUpdates!: boolean;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
