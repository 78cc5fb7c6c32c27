import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A one-time code sent to an email address: 6 digits, 10 minutes, 5 tries, single use, kept only as a keyed hash. */
@Entity({ name: 'email_proof' })
export class EmailProof {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'email_index', type: 'text' })
  emailIndex!: string;

  @Column({ name: 'code_hash', type: 'text' })
  codeHash!: string;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
