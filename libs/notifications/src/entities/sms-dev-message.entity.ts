import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An SMS the development adapter "delivered": stored instead of sent. */
@Entity({ name: 'sms_dev_message' })
export class SmsDevMessage {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  /** Ciphertext (FieldCipher, context `sms_dev_message.recipient:<idempotency key>`). */
  @Column({ type: 'text' })
  recipient!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
