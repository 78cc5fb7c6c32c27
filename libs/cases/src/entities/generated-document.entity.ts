import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A kind of generated document, declared by the service that makes it (ServiceDefinition.documentKinds). */
export type DocumentKind = string;

/**
 * A document the system produced for a case (an eVisa PDF, a certificate). One per case, kind and
 * locale: rendering the same job twice finds the row and stops, so a retried job never makes two.
 */
@Entity({ name: 'generated_document' })
export class GeneratedDocument {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  kind!: DocumentKind;

  @Column({ type: 'text' })
  locale!: string;

  @Column({ name: 'file_id', type: 'uuid' })
  fileId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
