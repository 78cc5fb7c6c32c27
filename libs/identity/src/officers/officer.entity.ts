import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@app/platform';

/** A consular officer. `totpSecret` holds FieldCipher ciphertext (context `officer.totp_secret:<id>`). */
@Entity({ name: 'officer' })
export class Officer {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  username!: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'text', array: true })
  roles!: Role[];

  @Column({ name: 'post_code', type: 'text' })
  postCode!: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ name: 'password_changed_at', type: 'timestamptz' })
  passwordChangedAt!: Date;

  /** Set for passwords someone else chose (an administrator, the CLI): changed at the next sign-in. */
  @Column({ name: 'must_change_password', type: 'boolean' })
  mustChangePassword!: boolean;

  @Column({ name: 'totp_secret', type: 'text', nullable: true })
  totpSecret!: string | null;

  @Column({ name: 'totp_enrolled_at', type: 'timestamptz', nullable: true })
  totpEnrolledAt!: Date | null;

  /** The last TOTP time step accepted: a code from that step or earlier is refused. */
  @Column({
    name: 'totp_last_step',
    type: 'bigint',
    nullable: true,
    transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  totpLastStep!: number | null;

  /** False once an administrator locks the account; only an administrator unlocks it. */
  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'failed_attempts', type: 'integer' })
  failedAttempts!: number;

  /** Set by the automatic lock-out after repeated failures. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
