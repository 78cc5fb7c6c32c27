import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A short "my cases" session for one proven email address; the cookie holds a token whose sha256 is stored. */
@Entity({ name: 'my_cases_session' })
export class MyCasesSession {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @Column({ name: 'email_index', type: 'text' })
  emailIndex!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
