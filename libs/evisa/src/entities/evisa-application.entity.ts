import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What an eVisa applicant answered, one row per case. Every personal column holds FieldCipher
 * ciphertext bound to `evisa_application.<column>:<caseId>`; the passport number also has a
 * blind index for exact-match search. Purpose, passport type and port of entry are plain: they
 * are choices from fixed lists, not personal data.
 */
@Entity({ name: 'evisa_application' })
export class EvisaApplication {
  @PrimaryColumn({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  purpose!: string;

  @Column({ name: 'passport_type', type: 'text' })
  passportType!: string;

  /** Null only once the case is anonymised. */
  @Column({ type: 'text', nullable: true })
  nationality!: string | null;

  @Column({ type: 'text', nullable: true })
  surname!: string | null;

  @Column({ name: 'given_names', type: 'text', nullable: true })
  givenNames!: string | null;

  @Column({ name: 'native_name', type: 'text', nullable: true })
  nativeName!: string | null;

  @Column({ type: 'text', nullable: true })
  sex!: string | null;

  @Column({ name: 'date_of_birth', type: 'text', nullable: true })
  dateOfBirth!: string | null;

  @Column({ name: 'place_of_birth', type: 'text', nullable: true })
  placeOfBirth!: string | null;

  @Column({ name: 'passport_number', type: 'text', nullable: true })
  passportNumber!: string | null;

  @Column({ name: 'passport_number_index', type: 'text', nullable: true })
  passportNumberIndex!: string | null;

  @Column({ name: 'issuing_authority', type: 'text', nullable: true })
  issuingAuthority!: string | null;

  @Column({ name: 'passport_issue_date', type: 'text', nullable: true })
  passportIssueDate!: string | null;

  @Column({ name: 'passport_expiry_date', type: 'text', nullable: true })
  passportExpiryDate!: string | null;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  @Column({ name: 'arrival_date', type: 'text', nullable: true })
  arrivalDate!: string | null;

  @Column({ name: 'port_of_entry', type: 'text', nullable: true })
  portOfEntry!: string | null;

  @Column({ name: 'stay_address', type: 'text', nullable: true })
  stayAddress!: string | null;

  @Column({ type: 'text', nullable: true })
  occupation!: string | null;

  @Column({ name: 'mrz_line1', type: 'text', nullable: true })
  mrzLine1!: string | null;

  @Column({ name: 'mrz_line2', type: 'text', nullable: true })
  mrzLine2!: string | null;

  @Column({ name: 'photo_file_id', type: 'uuid', nullable: true })
  photoFileId!: string | null;

  @Column({ name: 'passport_page_file_id', type: 'uuid', nullable: true })
  passportPageFileId!: string | null;

  /** The page flow's server-generated Idempotency-Key for its current payment attempt. */
  @Column({ name: 'payment_key', type: 'text', nullable: true })
  paymentKey!: string | null;

  /** The Idempotency-Key the submission was made with, so a replay returns the same answer. */
  @Column({ name: 'submit_key', type: 'text', nullable: true })
  submitKey!: string | null;

  @Column({ name: 'visa_number', type: 'text', nullable: true })
  visaNumber!: string | null;

  @Column({ name: 'valid_from', type: 'date', nullable: true })
  validFrom!: string | null;

  @Column({ name: 'valid_until', type: 'date', nullable: true })
  validUntil!: string | null;

  @Column({ type: 'text', nullable: true })
  entries!: string | null;

  @Column({ name: 'stay_days', type: 'integer', nullable: true })
  stayDays!: number | null;

  @Column({ name: 'decision_reason_code', type: 'text', nullable: true })
  decisionReasonCode!: string | null;

  /** Ciphertext: an officer's free text can name the applicant. */
  @Column({ name: 'decision_text', type: 'text', nullable: true })
  decisionText!: string | null;

  /**
   * The eVisa's Visible Digital Seal (base64 of the raw bytes), made once before the PDF is
   * rendered so that a retried render gives the same bytes. Ciphertext: it holds the MRZ and the
   * passport number.
   */
  @Column({ type: 'text', nullable: true })
  seal!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
