import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type VerificationMethod = 'seal' | 'visa_number';
export type VerificationResult = 'valid' | 'expired' | 'revoked' | 'not_found';

/**
 * One public verification look-up. No personal data: what was checked is not kept, only how, the
 * answer, and the caller's IP as a keyed hash (BlindIndex), enough to see abuse from one source.
 */
@Entity({ name: 'verification_lookup' })
export class VerificationLookup {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** What kind of document was checked: 'evisa'. */
  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  method!: VerificationMethod;

  @Column({ type: 'text' })
  result!: VerificationResult;

  @Column({ name: 'ip_hash', type: 'text' })
  ipHash!: string;
}
