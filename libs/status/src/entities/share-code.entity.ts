import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A code a document holder gives a third party to check the document ("view and prove"). Only its hash is kept. */
@Entity({ name: 'share_code' })
export class ShareCode {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ name: 'document_id', type: 'uuid' })
  documentId!: string;

  @Column({ name: 'code_hash', type: 'text' })
  codeHash!: string;

  /** The last three characters, so the holder can tell their codes apart. */
  @Column({ name: 'code_last3', type: 'text' })
  codeLast3!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** One use of a share code: the organisation the third party named, and when. */
@Entity({ name: 'share_code_use' })
export class ShareCodeUse {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'share_code_id', type: 'uuid' })
  shareCodeId!: string;

  @Column({ type: 'text' })
  organisation!: string;

  @Column({ name: 'ip_hash', type: 'text' })
  ipHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
