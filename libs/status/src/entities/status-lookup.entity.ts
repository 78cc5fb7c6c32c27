import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type LookupChannel = 'form' | 'link' | 'my-cases';
export type LookupOutcome = 'found' | 'no-match' | 'locked' | 'rate-limited';

/** One status look-up, without what was typed: reference and IP are keyed hashes. */
@Entity({ name: 'status_lookup' })
export class StatusLookup {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'reference_hash', type: 'text', nullable: true })
  referenceHash!: string | null;

  @Column({ name: 'ip_hash', type: 'text' })
  ipHash!: string;

  @Column({ type: 'text' })
  channel!: LookupChannel;

  @Column({ type: 'text' })
  outcome!: LookupOutcome;

  @Column({ name: 'case_id', type: 'uuid', nullable: true })
  caseId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
