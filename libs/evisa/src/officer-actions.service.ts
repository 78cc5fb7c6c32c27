import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, type AuthenticatedOfficer, DomainException, icaoCheckDigit, type Locale, ValidationException } from '@app/platform';
import { type Actor, type CaseRecord, CaseSpine, OutboxWriter } from '@app/cases';
import { ApplicationCipher } from './application-cipher.js';
import { INFO_TABLE } from './application.service.js';
import { addMonths, todayIn } from './dates.js';
import { EvisaApplication } from './entities/evisa-application.entity.js';
import { EvisaInformationRequest } from './entities/information-request.entity.js';
import { EvisaErrors } from './errors.js';
import { EVISA_SETTINGS, type EvisaSettings } from './settings.js';
import { evisaMachine } from './evisa.machine.js';
import { EVISA_JOBS } from './evisa.jobs.js';

/** Why an eVisa can be refused; the applicant sees the reason's text in their language. */
export const REFUSAL_REASONS = [
  'documents_insufficient',
  'purpose_not_credible',
  'identity_not_established',
  'security_concern',
  'previous_immigration_breach',
  'information_not_provided',
  'other',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export const REVOCATION_REASONS = ['fraud', 'identity_mismatch', 'security_concern', 'issued_in_error', 'other'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** What the eVisa PDF needs, decrypted; `printedEvisa` maps it to the documents library's EvisaDocumentData. */
export interface EvisaDocumentData {
  caseId: string;
  reference: string;
  status: string;
  locale: Locale;
  postCode: string;
  /** 'EV' + 7 digits: a valid 9-character MRZ document number. */
  visaNumber: string;
  visaNumberCheckDigit: number;
  surname: string;
  givenNames: string;
  nativeName: string | null;
  sex: 'F' | 'M' | 'X';
  /** YYYY-MM-DD */
  dateOfBirth: string;
  placeOfBirth: string;
  /** ISO 3166 alpha-3, as in the MRZ. */
  nationality: string;
  passportNumber: string;
  passportType: string;
  passportExpiryDate: string;
  purpose: string;
  portOfEntry: string;
  entries: string;
  stayDays: number;
  /** YYYY-MM-DD, in the country's time zone. */
  validFrom: string;
  validUntil: string;
  approvedAt: Date;
  photoFileId: string;
}

/**
 * The eVisa operations the officer side calls. Each runs in the caller's transaction (`manager`)
 * and takes the case version the officer saw: a stale version is a 409 VERSION_CONFLICT from the
 * spine. Deciding requires holding the case's claim (assigned to this officer, lease not expired).
 */
@Injectable()
export class EvisaOfficerActions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly outbox: OutboxWriter,
    private readonly appCipher: ApplicationCipher,
    @Inject(EVISA_SETTINGS) private readonly settings: EvisaSettings,
    private readonly clock: Clock,
  ) {}

  /**
   * IN_REVIEW → APPROVED: assigns the visa number, valid from today (in the country's time zone)
   * for `validityMonths`, single entry, `stayDays` days; queues the eVisa PDF (EVISA_JOBS.RenderEvisa).
   */
  async approve(manager: EntityManager, caseId: string, expectedVersion: number, officer: AuthenticatedOfficer): Promise<CaseRecord> {
    await this.assertClaim(manager, caseId, officer);
    const now = this.clock.now();
    const validFrom = todayIn(this.settings.timeZone, now);
    const validUntil = addMonths(validFrom, this.settings.validityMonths);
    const visaNumber = await this.nextVisaNumber(manager);
    const { case: approved } = await this.spine.transition(manager, {
      machine: evisaMachine,
      caseId,
      expectedVersion,
      to: 'APPROVED',
      actor: { type: 'officer', id: officer.id },
      type: 'evisa.approved',
      visibility: 'applicant',
      payload: { visaNumber, validFrom, validUntil },
      set: { decidedAt: now, assignedOfficerId: null, claimExpiresAt: null },
    });
    await manager.update(
      EvisaApplication,
      { caseId },
      { visaNumber, validFrom, validUntil, entries: this.settings.entries, stayDays: this.settings.stayDays, updatedAt: now },
    );
    await this.outbox.add(manager, EVISA_JOBS.RenderEvisa, { caseId }, { caseId });
    return approved;
  }

  /** IN_REVIEW (or INFO_REQUESTED) → REFUSED with a reason code and an optional explanation. */
  async refuse(
    manager: EntityManager,
    caseId: string,
    expectedVersion: number,
    officer: AuthenticatedOfficer,
    reasonCode: RefusalReason,
    text: string | null,
  ): Promise<CaseRecord> {
    if (!(REFUSAL_REASONS as readonly string[]).includes(reasonCode)) {
      throw new ValidationException([{ field: 'reasonCode', messages: [`Choose one of: ${REFUSAL_REASONS.join(', ')}.`] }]);
    }
    const explanation = this.checkText('text', text, 2000, reasonCode === 'other');
    await this.assertClaim(manager, caseId, officer);
    return this.decideRefusal(manager, caseId, expectedVersion, { type: 'officer', id: officer.id }, reasonCode, explanation);
  }

  /** IN_REVIEW → INFO_REQUESTED, with the message the applicant sees and the deadline for the answer. */
  async requestInformation(
    manager: EntityManager,
    caseId: string,
    expectedVersion: number,
    officer: AuthenticatedOfficer,
    message: string,
    deadline: Date,
  ): Promise<CaseRecord> {
    const text = this.checkText('message', message, 2000, true)!;
    const now = this.clock.now();
    if (!(deadline instanceof Date) || Number.isNaN(deadline.getTime()) || deadline <= now) {
      throw new ValidationException([{ field: 'deadline', messages: ['The deadline must be in the future.'] }]);
    }
    await this.assertClaim(manager, caseId, officer);
    const { case: updated } = await this.spine.transition(manager, {
      machine: evisaMachine,
      caseId,
      expectedVersion,
      to: 'INFO_REQUESTED',
      actor: { type: 'officer', id: officer.id },
      type: 'evisa.information_requested',
      visibility: 'applicant',
      payload: { deadline: deadline.toISOString() },
      set: { assignedOfficerId: null, claimExpiresAt: null },
    });
    const id = randomUUID();
    await manager.insert(EvisaInformationRequest, {
      id,
      caseId,
      message: this.appCipher.sealIn(INFO_TABLE, 'message', id, text),
      deadline,
      requestedBy: officer.id,
      requestedAt: now,
      answerFileIds: [],
    } as Partial<EvisaInformationRequest> as EvisaInformationRequest);
    return updated;
  }

  /**
   * Refuses every case whose request for information passed its deadline unanswered, with the
   * reason `information_not_provided`. Ready to run as a repeatable job: it takes the time as an
   * argument, skips rows another runner holds, and does each case in its own transaction.
   */
  async expireInformationRequests(now: Date, batchSize = 100): Promise<number> {
    const due = (await this.dataSource.query(
      `SELECT r.case_id FROM evisa_information_request r JOIN "case" c ON c.id = r.case_id
       WHERE r.answered_at IS NULL AND r.expired_at IS NULL AND r.deadline <= $1 AND c.status = 'INFO_REQUESTED'
       ORDER BY r.deadline LIMIT $2`,
      [now, batchSize],
    )) as { case_id: string }[];
    let refused = 0;
    for (const { case_id: caseId } of due) {
      const done = await this.dataSource.transaction(async (manager) => {
        const [request] = (await manager.query(
          `SELECT id FROM evisa_information_request
           WHERE case_id = $1 AND answered_at IS NULL AND expired_at IS NULL AND deadline <= $2 FOR UPDATE SKIP LOCKED`,
          [caseId, now],
        )) as { id: string }[];
        if (!request) return false;
        const record = await this.spine.load(manager, caseId);
        if (record.status !== 'INFO_REQUESTED') return false;
        await manager.update(EvisaInformationRequest, { id: request.id }, { expiredAt: now });
        await this.decideRefusal(manager, caseId, record.version, { type: 'system' }, 'information_not_provided', null, now);
        return true;
      });
      if (done) refused++;
    }
    return refused;
  }

  /** APPROVED → ISSUED, once the eVisa PDF exists; called by the render job (actor: system). */
  async markIssued(
    manager: EntityManager,
    caseId: string,
    expectedVersion: number,
    actor: Actor = { type: 'system' },
  ): Promise<CaseRecord> {
    const { case: issued } = await this.spine.transition(manager, {
      machine: evisaMachine,
      caseId,
      expectedVersion,
      to: 'ISSUED',
      actor,
      type: 'evisa.issued',
      visibility: 'applicant',
    });
    return issued;
  }

  /** ISSUED → REVOKED. Needs no claim (an issued case is out of the queue) but does need post scope. */
  async revoke(
    manager: EntityManager,
    caseId: string,
    expectedVersion: number,
    officer: AuthenticatedOfficer,
    reason: RevocationReason,
    text: string | null = null,
  ): Promise<CaseRecord> {
    if (!(REVOCATION_REASONS as readonly string[]).includes(reason)) {
      throw new ValidationException([{ field: 'reason', messages: [`Choose one of: ${REVOCATION_REASONS.join(', ')}.`] }]);
    }
    const explanation = this.checkText('text', text, 2000, reason === 'other');
    this.assertScope(await this.spine.load(manager, caseId), officer);
    const now = this.clock.now();
    const { case: revoked } = await this.spine.transition(manager, {
      machine: evisaMachine,
      caseId,
      expectedVersion,
      to: 'REVOKED',
      actor: { type: 'officer', id: officer.id },
      type: 'evisa.revoked',
      visibility: 'applicant',
      payload: { reason },
    });
    await manager.update(
      EvisaApplication,
      { caseId },
      {
        decisionReasonCode: reason,
        decisionText: explanation === null ? null : this.appCipher.seal(caseId, 'decision_text', explanation),
        updatedAt: now,
      },
    );
    return revoked;
  }

  /** Everything the eVisa PDF prints, decrypted. Only for an APPROVED, ISSUED or REVOKED case. */
  async documentDataFor(caseId: string, manager: EntityManager = this.dataSource.manager): Promise<EvisaDocumentData> {
    const record = await this.spine.load(manager, caseId);
    const application = await manager.findOneBy(EvisaApplication, { caseId });
    if (!application || !application.visaNumber || !application.validFrom || !application.validUntil || !record.decidedAt) {
      throw new DomainException(EvisaErrors.APPLICATION_NOT_FOUND, 'This case has no approved eVisa.');
    }
    const a = this.appCipher.answersOf(application);
    return {
      caseId,
      reference: record.reference,
      status: record.status,
      locale: record.locale,
      postCode: record.postCode,
      visaNumber: application.visaNumber,
      visaNumberCheckDigit: icaoCheckDigit(application.visaNumber),
      surname: a.surname!,
      givenNames: a.givenNames ?? '',
      nativeName: a.nativeName,
      sex: a.sex as EvisaDocumentData['sex'],
      dateOfBirth: a.dateOfBirth!,
      placeOfBirth: a.placeOfBirth!,
      nationality: a.nationality!,
      passportNumber: a.passportNumber!,
      passportType: a.passportType!,
      passportExpiryDate: a.passportExpiryDate!,
      purpose: a.purpose!,
      portOfEntry: a.portOfEntry!,
      entries: application.entries ?? this.settings.entries,
      stayDays: application.stayDays ?? this.settings.stayDays,
      validFrom: application.validFrom,
      validUntil: application.validUntil,
      approvedAt: record.decidedAt,
      photoFileId: application.photoFileId!,
    };
  }

  private async decideRefusal(
    manager: EntityManager,
    caseId: string,
    expectedVersion: number,
    actor: Actor,
    reasonCode: RefusalReason,
    text: string | null,
    now = this.clock.now(),
  ): Promise<CaseRecord> {
    const { case: refused } = await this.spine.transition(manager, {
      machine: evisaMachine,
      caseId,
      expectedVersion,
      to: 'REFUSED',
      actor,
      type: 'evisa.refused',
      visibility: 'applicant',
      payload: { reasonCode },
      set: { decidedAt: now, assignedOfficerId: null, claimExpiresAt: null },
    });
    await manager.update(
      EvisaApplication,
      { caseId },
      {
        decisionReasonCode: reasonCode,
        decisionText: text === null ? null : this.appCipher.seal(caseId, 'decision_text', text),
        updatedAt: now,
      },
    );
    return refused;
  }

  /** 'EV' + 7 digits from a sequence: unique, 9 characters, A–Z0–9 only, so it is a valid MRZ document number. */
  private async nextVisaNumber(manager: EntityManager): Promise<string> {
    const [row] = (await manager.query(`SELECT nextval('evisa_visa_number_seq')::int AS n`)) as { n: number }[];
    return `EV${String(row!.n).padStart(7, '0')}`;
  }

  private async assertClaim(manager: EntityManager, caseId: string, officer: AuthenticatedOfficer): Promise<void> {
    const record = await this.spine.load(manager, caseId);
    this.assertScope(record, officer);
    const leaseValid = record.claimExpiresAt === null || record.claimExpiresAt > this.clock.now();
    if (record.assignedOfficerId !== officer.id || !leaseValid) {
      throw new DomainException(EvisaErrors.CLAIM_REQUIRED, 'Claim this case before deciding it (your claim may have expired).', {
        assignedOfficerId: record.assignedOfficerId,
      });
    }
  }

  private assertScope(record: CaseRecord, officer: AuthenticatedOfficer): void {
    if (record.service !== 'evisa') throw new DomainException(EvisaErrors.APPLICATION_NOT_FOUND, 'This case is not an eVisa.');
    if (!officer.seesAllPosts && officer.postCode !== record.postCode) {
      throw new DomainException(EvisaErrors.OUT_OF_SCOPE, 'This case belongs to another post.');
    }
  }

  private checkText(field: string, value: string | null, max: number, required: boolean): string | null {
    const text = typeof value === 'string' ? value.trim() : null;
    if (required && !text) throw new ValidationException([{ field, messages: ['This text is required.'] }]);
    if (text && text.length > max) throw new ValidationException([{ field, messages: [`At most ${max} characters.`] }]);
    return text || null;
  }
}
