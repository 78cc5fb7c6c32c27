import { Column, Entity, PrimaryColumn } from 'typeorm';

export type PaymentStatus = 'pending' | 'succeeded' | 'declined';

/** One attempt to take the eVisa fee. At most one per case is pending or succeeded at a time. */
@Entity({ name: 'evisa_payment' })
export class EvisaPayment {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'integer' })
  amount!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ name: 'provider_reference', type: 'text' })
  providerReference!: string;

  @Column({ type: 'text' })
  status!: PaymentStatus;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
