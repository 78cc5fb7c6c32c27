import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An officer's request for more information, and the applicant's answer. Texts are ciphertext. */
@Entity({ name: 'evisa_information_request' })
export class EvisaInformationRequest {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  /** Null only once the case is anonymised. */
  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @Column({ type: 'timestamptz' })
  deadline!: Date;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ name: 'answer_text', type: 'text', nullable: true })
  answerText!: string | null;

  @Column({ name: 'answer_file_ids', type: 'uuid', array: true })
  answerFileIds!: string[];

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt!: Date | null;

  @Column({ name: 'expired_at', type: 'timestamptz', nullable: true })
  expiredAt!: Date | null;
}
