import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource, type EntityManager, In } from 'typeorm';
import {
  Clock,
  DomainException,
  FileRecord,
  FileService,
  type Locale,
  Messages,
  RateLimiter,
  SignedTokens,
  type Translate,
} from '@app/platform';
import { CaseRecord, CaseSpine, OutboxWriter, ServiceCatalogue } from '@app/cases';
import {
  type Answers,
  crossCheck,
  type FieldIssue,
  firstIncompleteStep,
  missingAnswers,
  readFields,
  type RuleContext,
  STEPS,
  type StepName,
  ANSWER_FIELDS,
} from './answers.js';
import { ApplicationCipher } from './application-cipher.js';
import { addWorkingDays } from '@app/review';
import { todayIn } from './dates.js';
import { EvisaApplication } from './entities/evisa-application.entity.js';
import { EvisaPayment } from './entities/evisa-payment.entity.js';
import { EvisaInformationRequest } from './entities/information-request.entity.js';
import { EvisaErrors } from './errors.js';
import { translateIssues, validationFailure } from './issues.js';
import { compareWithMrz, type MrzMismatch, parseTd3 } from './mrz.js';
import { EvisaPaymentService } from './payments/payment.service.js';
import { EVISA_SETTINGS, type EvisaSettings } from './settings.js';
import { ATTACHMENT_RULES, PASSPORT_PAGE_RULES, PHOTO_RULES, prepareUpload, type Upload, type UploadRules } from './uploads.js';
import { evisaMachine } from './evisa.machine.js';
import { EVISA_JOBS } from './evisa.jobs.js';

export const DRAFT_TOKEN_PURPOSE = 'evisa-draft';
export const APPLICANT_TOKEN_PURPOSE = 'evisa-applicant';
const APPLICANT_SESSION_SECONDS = 3600;
const DAY_MS = 24 * 3600 * 1000;

export type FileSlot = 'photo' | 'passportPage';
const SLOT_COLUMN = { photo: 'photoFileId', passportPage: 'passportPageFileId' } as const;
const SLOT_RULES: Record<FileSlot, UploadRules> = { photo: PHOTO_RULES, passportPage: PASSPORT_PAGE_RULES };
const SLOT_KIND: Record<FileSlot, string> = { photo: 'evisa-photo', passportPage: 'evisa-passport-page' };

export interface StoredFileView {
  fileId: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
}

export interface DraftView {
  caseId: string;
  reference: string;
  status: string;
  version: number;
  expiresAt: Date;
  answers: Answers;
  missing: string[];
  nextStep: StepName | 'photo' | 'passportPage' | 'checkAnswers';
  files: Record<FileSlot, StoredFileView | null>;
  mrz: { given: boolean; mismatches: MrzMismatch[] };
  fee: { amount: number; currency: string };
  payment: { paymentId: string; status: string } | null;
}

export interface SubmissionResult {
  caseId: string;
  reference: string;
  status: string;
  submittedAt: Date;
  slaDueAt: Date;
  postCode: string;
}

export interface ApplicantCaseView {
  caseId: string;
  reference: string;
  status: string;
  version: number;
  canWithdraw: boolean;
  informationRequest: { message: string; deadline: Date } | null;
}

/**
 * The applicant's side of the eVisa: eligibility, the draft and its answers, uploads, submission,
 * answering a request for information and withdrawing. Each command is one transaction; status
 * changes go through the case spine.
 */
@Injectable()
export class EvisaApplicationService {
  private readonly logger = new Logger(EvisaApplicationService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly outbox: OutboxWriter,
    private readonly appCipher: ApplicationCipher,
    private readonly tokens: SignedTokens,
    private readonly messages: Messages,
    private readonly files: FileService,
    private readonly payments: EvisaPaymentService,
    private readonly rateLimiter: RateLimiter,
    @Inject(EVISA_SETTINGS) private readonly settings: EvisaSettings,
    private readonly clock: Clock,
    private readonly catalogue: ServiceCatalogue,
  ) {}

  ruleContext(): RuleContext {
    return { settings: this.settings, today: todayIn(this.settings.timeZone, this.clock.now()) };
  }

  t(locale: Locale): Translate {
    return this.messages.translator(locale);
  }

  // ── eligibility and the draft ─────────────────────────────────────────────

  /** Checks the three eligibility answers without storing anything. */
  checkEligibility(input: Record<string, unknown>): { values: Partial<Answers>; issues: FieldIssue[]; eligible: boolean } {
    const { values, issues } = readFields(STEPS.eligibility, input, this.ruleContext());
    return { values, issues, eligible: issues.length === 0 };
  }

  /**
   * Opens a draft from eligible answers. The draft's opening event is internal (no email), and
   * DRAFT is not a queue status, so drafts never reach officers.
   */
  async startDraft(
    input: Record<string, unknown>,
    locale: Locale,
  ): Promise<{ caseId: string; reference: string; draftToken: string; expiresAt: Date }> {
    const { values, issues } = this.checkEligibility(input);
    this.throwIfIneligible(issues, locale);
    const postCode = await this.postFor(this.dataSource.manager, values.nationality!);
    const record = await this.dataSource.transaction(async (manager) => {
      const opened = await this.spine.openCase(manager, {
        machine: evisaMachine,
        status: 'DRAFT',
        postCode,
        locale,
        actor: { type: 'applicant' },
        event: { type: 'evisa.draft_started', visibility: 'internal' },
      });
      const now = new Date();
      await manager.insert(EvisaApplication, {
        caseId: opened.id,
        ...this.appCipher.columnsFor(opened.id, values),
        createdAt: now,
        updatedAt: now,
      } as EvisaApplication);
      return opened;
    });
    const expiresAt = this.draftExpiry(record);
    return { caseId: record.id, reference: record.reference, draftToken: this.draftToken(record.id, expiresAt), expiresAt };
  }

  draftExpiry(record: Pick<CaseRecord, 'createdAt'>): Date {
    return new Date(record.createdAt.getTime() + this.settings.draftLifetimeDays * DAY_MS);
  }

  /** A resume link token that lasts as long as the draft itself. */
  draftToken(caseId: string, expiresAt: Date): string {
    const ttl = Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
    return this.tokens.sign(DRAFT_TOKEN_PURPOSE, caseId, ttl);
  }

  /** The case a draft token names. The same answer for a bad, expired or unknown token. */
  caseIdFromDraftToken(token: unknown): string {
    try {
      return this.tokens.verify(String(token ?? ''), DRAFT_TOKEN_PURPOSE).subject;
    } catch {
      throw new DomainException(EvisaErrors.DRAFT_NOT_FOUND, 'This application could not be found. It may have expired.');
    }
  }

  /** Saves the answers of one page. Nothing is written when any answer is wrong. */
  async saveStep(caseId: string, step: StepName, input: Record<string, unknown>, locale: Locale): Promise<DraftView> {
    const fields = STEPS[step];
    const ctx = this.ruleContext();
    await this.dataSource.transaction(async (manager) => {
      const { application } = await this.lockDraft(manager, caseId);
      const current = this.appCipher.answersOf(application);
      const { values, issues } = readFields(fields, input, ctx);
      if (step === 'eligibility') this.throwIfIneligible(issues, locale);
      if (issues.length === 0) issues.push(...crossCheck({ ...current, ...values }, ctx, fields));
      if (issues.length) throw validationFailure(issues, this.t(locale));
      await manager.update(EvisaApplication, { caseId }, { ...this.appCipher.columnsFor(caseId, values), updatedAt: new Date() });
      if (step === 'contact' && values.email !== current.email) {
        // The resume link goes to the address just given; the job carries no personal data.
        await this.outbox.add(manager, EVISA_JOBS.SendDraftResumeLink, { caseId }, { caseId });
      }
    });
    return this.view(caseId);
  }

  async view(caseId: string): Promise<DraftView> {
    const manager = this.dataSource.manager;
    const record = await this.spine.load(manager, caseId);
    const application = await this.application(manager, caseId);
    const answers = this.appCipher.answersOf(application);
    const fileIds = [application.photoFileId, application.passportPageFileId].filter((id): id is string => !!id);
    const stored = fileIds.length ? await manager.findBy(FileRecord, { id: In(fileIds) }) : [];
    const fileView = (id: string | null): StoredFileView | null => {
      const file = stored.find((f) => f.id === id);
      return file ? { fileId: file.id, mimeType: file.mimeType, sizeBytes: file.sizeBytes, sha256: file.sha256 } : null;
    };
    const files = { photo: fileView(application.photoFileId), passportPage: fileView(application.passportPageFileId) };
    const payment = await this.payments.current(caseId);
    const step = firstIncompleteStep(answers);
    return {
      caseId,
      reference: record.reference,
      status: record.status,
      version: record.version,
      expiresAt: this.draftExpiry(record),
      answers,
      missing: [...missingAnswers(answers), ...(files.photo ? [] : ['photo']), ...(files.passportPage ? [] : ['passportPage'])],
      nextStep: step ?? (!files.photo ? 'photo' : !files.passportPage ? 'passportPage' : 'checkAnswers'),
      files,
      mrz: { given: !!(answers.mrzLine1 && answers.mrzLine2), mismatches: this.mrzMismatches(answers) },
      fee: { amount: this.settings.feeAmount, currency: this.settings.currency },
      payment: payment ? { paymentId: payment.id, status: payment.status } : null,
    };
  }

  /** Each difference between the typed answers and the pasted MRZ; empty when no MRZ was given. */
  mrzMismatches(answers: Answers): MrzMismatch[] {
    if (!answers.mrzLine1 || !answers.mrzLine2) return [];
    const { mrz } = parseTd3(answers.mrzLine1, answers.mrzLine2);
    if (!mrz) return [];
    return compareWithMrz(mrz, {
      surname: answers.surname,
      givenNames: answers.givenNames,
      passportNumber: answers.passportNumber,
      nationality: answers.nationality,
      dateOfBirth: answers.dateOfBirth,
      sex: answers.sex,
      expiryDate: answers.passportExpiryDate,
    });
  }

  // ── uploads ───────────────────────────────────────────────────────────────

  /** Stores the photo or the passport page (replacing any earlier one); metadata is stripped first. */
  async attachFile(caseId: string, slot: FileSlot, upload: Upload): Promise<StoredFileView> {
    const prepared = await prepareUpload(upload, SLOT_RULES[slot]);
    let replacedKey: string | null = null;
    const stored = await this.dataSource.transaction(async (manager) => {
      const { application } = await this.lockDraft(manager, caseId);
      const file = await this.files.store(manager, {
        bytes: prepared.bytes,
        kind: SLOT_KIND[slot],
        caseId,
        allowedTypes: SLOT_RULES[slot].allowedTypes,
        maxBytes: SLOT_RULES[slot].maxBytes,
      });
      await manager.update(EvisaApplication, { caseId }, { [SLOT_COLUMN[slot]]: file.id, updatedAt: new Date() });
      const previous = application[SLOT_COLUMN[slot]];
      if (previous) replacedKey = (await this.files.deleteRecords(manager, { ids: [previous] }))[0] ?? null;
      return file;
    });
    if (replacedKey) await this.deleteBlobs([replacedKey]);
    return { fileId: stored.id, mimeType: stored.mimeType, sizeBytes: stored.sizeBytes, sha256: stored.sha256 };
  }

  // ── payment and submission ────────────────────────────────────────────────

  /** The page flow's payment: its Idempotency-Key is generated here and kept with the draft. */
  async startPagePayment(caseId: string): Promise<{ redirectUrl: string | null; status: string }> {
    const application = await this.dataSource.transaction(async (manager) => (await this.lockDraft(manager, caseId)).application);
    let key = application.paymentKey;
    const previous = key ? await this.dataSource.manager.findOneBy(EvisaPayment, { idempotencyKey: key }) : null;
    if (!key || previous?.status === 'declined') {
      key = `page-${randomUUID()}`;
      await this.dataSource.manager.update(EvisaApplication, { caseId }, { paymentKey: key });
    }
    const { payment } = await this.payments.start(caseId, key);
    return { redirectUrl: payment.redirectUrl, status: payment.status };
  }

  /**
   * DRAFT → SUBMITTED, once every answer and file is there and the fee is paid. The same
   * Idempotency-Key gives back the same result; the spine writes the applicant-visible event and
   * its notification outbox row in the same transaction.
   */
  async submit(caseId: string, idempotencyKey: string, locale: Locale): Promise<SubmissionResult> {
    const t = this.t(locale);
    // A replay of a submission that went through ends in the DRAFT_CLOSED branch below.
    await this.payments.current(caseId); // refreshes a pending payment from the acquirer
    const ctx = this.ruleContext();
    const now = this.clock.now();
    const submitOnce = this.dataSource.transaction(async (manager) => {
      const { record: current, application } = await this.lockDraft(manager, caseId);
      const answers = this.appCipher.answersOf(application);
      const { issues } = readFields(ANSWER_FIELDS, answers, ctx);
      issues.push(...crossCheck(answers, ctx));
      if (!application.photoFileId) issues.push({ field: 'photo', key: 'evisa.err.fileRequired' });
      if (!application.passportPageFileId) issues.push({ field: 'passportPage', key: 'evisa.err.fileRequired' });
      if (issues.length) {
        throw new DomainException(EvisaErrors.APPLICATION_INCOMPLETE, t('evisa.err.incomplete'), translateIssues(issues, t));
      }
      if (!(await this.payments.succeeded(manager, caseId))) {
        throw new DomainException(EvisaErrors.PAYMENT_REQUIRED, t('evisa.err.paymentRequired'));
      }
      const { code: postCode, timeZone } = await this.postAndTimeZoneFor(manager, answers.nationality!);
      const withApplicant = await this.spine.updateApplicant(
        manager,
        caseId,
        {
          applicant: { name: `${answers.surname} ${answers.givenNames ?? ''}`.trim(), email: answers.email, phone: answers.phone },
          lookup: { surname: lookupSurname(answers.surname!), dateOfBirth: answers.dateOfBirth! },
        },
        current,
      );
      const { case: submitted } = await this.spine.transition(manager, {
        machine: evisaMachine,
        caseId,
        current: withApplicant,
        expectedVersion: current.version,
        to: 'SUBMITTED',
        actor: { type: 'applicant' },
        type: 'evisa.submitted',
        visibility: 'applicant',
        set: { submittedAt: now, slaDueAt: addWorkingDays(now, this.settings.reviewSlaWorkingDays, timeZone, postCode), postCode },
      });
      await manager.update(EvisaApplication, { caseId }, { submitKey: idempotencyKey, updatedAt: new Date() });
      return submitted;
    });
    try {
      return this.submissionResult(await submitOnce);
    } catch (error) {
      // A concurrent request with the same key won the race: answer as it did.
      if (!(error instanceof DomainException) || error.code !== EvisaErrors.DRAFT_CLOSED) throw error;
      const after = await this.application(this.dataSource.manager, caseId);
      if (after.submitKey !== idempotencyKey) throw error;
      return this.submissionResult(await this.spine.load(this.dataSource.manager, caseId));
    }
  }

  private submissionResult(record: CaseRecord): SubmissionResult {
    return {
      caseId: record.id,
      reference: record.reference,
      status: record.status,
      submittedAt: record.submittedAt!,
      slaDueAt: record.slaDueAt!,
      postCode: record.postCode,
    };
  }

  // ── the applicant after submission ────────────────────────────────────────

  /**
   * Proves the applicant with reference + surname + date of birth. A wrong answer and an unknown
   * reference get the same error after the same work; attempts are limited per IP and per reference.
   */
  async verifyApplicant(
    input: Record<string, unknown>,
    clientIp: string,
    locale: Locale,
  ): Promise<{ caseId: string; accessToken: string }> {
    const t = this.t(locale);
    const issues: FieldIssue[] = [];
    for (const field of ['reference', 'surname', 'dateOfBirth']) {
      if (typeof input[field] !== 'string' || !(input[field] as string).trim()) issues.push({ field, key: 'evisa.err.required' });
    }
    if (issues.length) throw validationFailure(issues, t);
    const parsed = this.catalogue.parseReference(input.reference);
    await this.limitAttempts(`evisa-access:ip:${clientIp}`, 20, 900);
    if (parsed) await this.limitAttempts(`evisa-access:ref:${this.appCipher.rateLimitKey(parsed.reference)}`, 10, 3600);
    const reference = parsed?.reference ?? 'EV-0000-0000';
    const expected = this.spine.lookupKey(reference, lookupSurname(String(input.surname)), String(input.dateOfBirth).trim());
    const [row] = (await this.dataSource.query(`SELECT id, lookup_key FROM "case" WHERE reference = $1 AND service = 'evisa'`, [
      reference,
    ])) as { id: string; lookup_key: string | null }[];
    const stored = Buffer.from(row?.lookup_key ?? expected.replace(/./g, '-'));
    const given = Buffer.from(expected);
    const matches = parsed !== null && row !== undefined && stored.length === given.length && timingSafeEqual(stored, given);
    if (!matches) throw new DomainException(EvisaErrors.APPLICATION_NOT_FOUND, t('evisa.err.accessDenied'));
    return { caseId: row!.id, accessToken: this.applicantToken(row!.id) };
  }

  /** Guessing is only allowed while the limiter can count: with Redis away the check fails closed, as a 503. */
  private async limitAttempts(key: string, limit: number, windowSeconds: number): Promise<void> {
    try {
      await this.rateLimiter.consume(key, limit, windowSeconds);
    } catch (error) {
      if (error instanceof DomainException) throw error;
      throw new DomainException('NOT_READY', 'This check is unavailable for a moment. Try again shortly.');
    }
  }

  /** A signed token proving the holder is the applicant of a case (for an emailed link, or after verifying). */
  applicantToken(caseId: string, ttlSeconds = APPLICANT_SESSION_SECONDS): string {
    return this.tokens.sign(APPLICANT_TOKEN_PURPOSE, caseId, ttlSeconds);
  }

  caseIdFromApplicantToken(token: unknown, locale: Locale): string {
    try {
      return this.tokens.verify(String(token ?? ''), APPLICANT_TOKEN_PURPOSE).subject;
    } catch {
      throw new DomainException(EvisaErrors.APPLICATION_NOT_FOUND, this.t(locale)('evisa.err.accessDenied'));
    }
  }

  async applicantView(caseId: string): Promise<ApplicantCaseView> {
    const record = await this.spine.load(this.dataSource.manager, caseId);
    const request = await this.openRequest(this.dataSource.manager, caseId);
    return {
      caseId,
      reference: record.reference,
      status: record.status,
      version: record.version,
      canWithdraw: WITHDRAWABLE.includes(record.status),
      informationRequest:
        request && record.status === 'INFO_REQUESTED'
          ? { message: this.appCipher.openIn(INFO_TABLE, 'message', request.id, request.message)!, deadline: request.deadline }
          : null,
    };
  }

  /** INFO_REQUESTED → SUBMITTED with the applicant's answer (text and up to two files). */
  async answerInformationRequest(
    caseId: string,
    expectedVersion: number,
    input: { text: unknown; files: Upload[] },
    locale: Locale,
  ): Promise<ApplicantCaseView> {
    const t = this.t(locale);
    const text = typeof input.text === 'string' ? input.text.trim() : input.text;
    if (typeof text !== 'string')
      throw validationFailure([{ field: 'text', key: text === undefined ? 'evisa.err.required' : 'evisa.err.type' }], t);
    if (!text) throw validationFailure([{ field: 'text', key: 'evisa.err.required' }], t);
    if (text.length > 5000) throw validationFailure([{ field: 'text', key: 'evisa.err.tooLong', params: { max: 5000 } }], t);
    if (!Number.isInteger(expectedVersion)) throw validationFailure([{ field: 'expectedVersion', key: 'evisa.err.required' }], t);
    const prepared: Awaited<ReturnType<typeof prepareUpload>>[] = [];
    for (const file of input.files) prepared.push(await prepareUpload(file, ATTACHMENT_RULES));
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      const request = await this.openRequest(manager, caseId, true);
      if (!request) throw new DomainException(EvisaErrors.NO_OPEN_INFORMATION_REQUEST, t('evisa.err.noOpenRequest'));
      const fileIds: string[] = [];
      for (const file of prepared) {
        const stored = await this.files.store(manager, {
          bytes: file.bytes,
          kind: 'evisa-information-response',
          caseId,
          allowedTypes: ATTACHMENT_RULES.allowedTypes,
          maxBytes: ATTACHMENT_RULES.maxBytes,
        });
        fileIds.push(stored.id);
      }
      const record = await this.spine.load(manager, caseId);
      const timeZone = await this.postTimeZone(manager, record.postCode);
      await this.spine.transition(manager, {
        machine: evisaMachine,
        caseId,
        expectedVersion,
        to: 'SUBMITTED',
        actor: { type: 'applicant' },
        type: 'evisa.information_provided',
        visibility: 'applicant',
        payload: { files: fileIds.length },
        set: { slaDueAt: addWorkingDays(now, this.settings.reviewSlaWorkingDays, timeZone, record.postCode) },
      });
      await manager.update(
        EvisaInformationRequest,
        { id: request.id },
        {
          answerText: this.appCipher.sealIn(INFO_TABLE, 'answer_text', request.id, text),
          answerFileIds: fileIds,
          answeredAt: now,
        },
      );
    });
    return this.applicantView(caseId);
  }

  /** Every request for information on a case, oldest first, with the applicant's answer: for the officer's workspace. */
  async informationExchanges(caseId: string): Promise<InformationExchange[]> {
    const requests = await this.dataSource.manager.find(EvisaInformationRequest, { where: { caseId }, order: { requestedAt: 'ASC' } });
    return requests.map((request) => ({
      message: this.appCipher.openIn(INFO_TABLE, 'message', request.id, request.message)!,
      deadline: request.deadline,
      answer: this.appCipher.openIn(INFO_TABLE, 'answer_text', request.id, request.answerText),
      answeredAt: request.answeredAt,
    }));
  }

  /** Withdraws before a decision. A draft is deleted at once (there is nothing to keep). */
  async withdraw(caseId: string, expectedVersion: number, locale: Locale): Promise<ApplicantCaseView> {
    const record = await this.spine.load(this.dataSource.manager, caseId);
    if (record.status === 'DRAFT') {
      await this.purgeDraft(caseId, expectedVersion, 'evisa.draft_withdrawn', { type: 'applicant' });
      return this.applicantView(caseId);
    }
    if (!Number.isInteger(expectedVersion))
      throw validationFailure([{ field: 'expectedVersion', key: 'evisa.err.required' }], this.t(locale));
    await this.dataSource.transaction((manager) =>
      this.spine.transition(manager, {
        machine: evisaMachine,
        caseId,
        expectedVersion,
        to: 'WITHDRAWN',
        actor: { type: 'applicant' },
        type: 'evisa.withdrawn',
        visibility: 'applicant',
        set: { assignedOfficerId: null, claimExpiresAt: null, decidedAt: this.clock.now() },
      }),
    );
    return this.applicantView(caseId);
  }

  // ── housekeeping ──────────────────────────────────────────────────────────

  /**
   * Deletes drafts older than their lifetime: the answers, the files and their bytes. The case row
   * stays, with no personal data, as WITHDRAWN (its history is append-only and must keep pointing
   * at it). Safe to run on several workers at once. Returns how many drafts were purged.
   */
  async purgeExpiredDrafts(now: Date, batchSize = 100): Promise<number> {
    const cutoff = new Date(now.getTime() - this.settings.draftLifetimeDays * DAY_MS);
    const rows = (await this.dataSource.query(
      `SELECT id, version FROM "case" WHERE service = 'evisa' AND status = 'DRAFT' AND created_at < $1 ORDER BY created_at LIMIT $2`,
      [cutoff, batchSize],
    )) as { id: string; version: number }[];
    let purged = 0;
    for (const row of rows) {
      try {
        await this.purgeDraft(row.id, row.version, 'evisa.draft_expired', { type: 'system' });
        purged++;
      } catch (error) {
        // Another worker took it, or the applicant submitted meanwhile: nothing to do.
        if (!(error instanceof DomainException)) throw error;
      }
    }
    return purged;
  }

  private async purgeDraft(
    caseId: string,
    expectedVersion: number,
    eventType: string,
    actor: { type: 'applicant' | 'system' },
  ): Promise<void> {
    const storageKeys = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT id FROM "case" WHERE id = $1 FOR UPDATE`, [caseId]);
      await manager.delete(EvisaApplication, { caseId });
      const keys = await this.files.deleteRecords(manager, { caseId });
      await this.spine.updateApplicant(manager, caseId, { applicant: { name: null, email: null, phone: null }, lookup: null });
      await this.spine.transition(manager, {
        machine: evisaMachine,
        caseId,
        expectedVersion,
        to: 'WITHDRAWN',
        actor,
        type: eventType,
        visibility: 'internal',
        set: { decidedAt: new Date() },
      });
      return keys;
    });
    await this.deleteBlobs(storageKeys);
  }

  // ── helpers ───────────────────────────────────────────────────────────────

  private throwIfIneligible(issues: FieldIssue[], locale: Locale): void {
    if (!issues.length) return;
    const ineligible = issues.every((i) => ['evisa.err.nationalityNotEligible', 'evisa.err.passportTypeRefused'].includes(i.key));
    const t = this.t(locale);
    if (ineligible) throw new DomainException(EvisaErrors.NOT_ELIGIBLE, t('evisa.err.notEligible'), translateIssues(issues, t));
    throw validationFailure(issues, t);
  }

  /** Locks the case and its application for a change; only a DRAFT can change. */
  private async lockDraft(manager: EntityManager, caseId: string): Promise<{ record: CaseRecord; application: EvisaApplication }> {
    const locked = await manager.findOne(CaseRecord, { where: { id: caseId, service: 'evisa' }, lock: { mode: 'pessimistic_write' } });
    if (!locked) throw new DomainException(EvisaErrors.DRAFT_NOT_FOUND, 'This application could not be found. It may have expired.');
    if (locked.status !== 'DRAFT') {
      throw new DomainException(
        EvisaErrors.DRAFT_CLOSED,
        `This application has already been ${locked.status.toLowerCase()} and cannot be changed.`,
        {
          status: locked.status,
        },
      );
    }
    return { record: locked, application: await this.application(manager, caseId) };
  }

  private async application(manager: EntityManager, caseId: string): Promise<EvisaApplication> {
    const application = await manager.findOneBy(EvisaApplication, { caseId });
    if (!application) throw new DomainException(EvisaErrors.DRAFT_NOT_FOUND, 'This application could not be found. It may have expired.');
    return application;
  }

  private async openRequest(manager: EntityManager, caseId: string, lock = false): Promise<EvisaInformationRequest | null> {
    const query = manager
      .createQueryBuilder(EvisaInformationRequest, 'r')
      .where('r.case_id = :caseId AND r.answered_at IS NULL AND r.expired_at IS NULL', { caseId });
    if (lock) query.setLock('pessimistic_write');
    return query.getOne();
  }

  /** The post that handles a nationality: an explicit choice, else the post in that country, else the default. */
  async postFor(manager: EntityManager, nationality: string): Promise<string> {
    const configured = this.settings.postByNationality[nationality];
    if (configured) return configured;
    const [post] = (await manager.query(
      `SELECT code FROM post WHERE country = $1 AND 'evisa' = ANY(services) ORDER BY kind, code LIMIT 1`,
      [nationality],
    )) as { code: string }[];
    return post?.code ?? this.settings.defaultPostCode;
  }

  /** postFor and that post's time zone, in one query when the post comes from the post table. */
  private async postAndTimeZoneFor(manager: EntityManager, nationality: string): Promise<{ code: string; timeZone: string }> {
    if (!this.settings.postByNationality[nationality]) {
      const [post] = (await manager.query(
        `SELECT code, time_zone FROM post WHERE country = $1 AND 'evisa' = ANY(services) ORDER BY kind, code LIMIT 1`,
        [nationality],
      )) as { code: string; time_zone: string }[];
      if (post) return { code: post.code, timeZone: post.time_zone };
    }
    const code = await this.postFor(manager, nationality);
    return { code, timeZone: await this.postTimeZone(manager, code) };
  }

  private async postTimeZone(manager: EntityManager, postCode: string): Promise<string> {
    const [post] = (await manager.query(`SELECT time_zone FROM post WHERE code = $1`, [postCode])) as { time_zone: string }[];
    return post?.time_zone ?? this.settings.timeZone;
  }

  private async deleteBlobs(keys: string[]): Promise<void> {
    await this.files.deleteStored(keys).catch((error: unknown) => {
      this.logger.warn(`could not delete a stored file: ${(error as Error).message}`);
    });
  }
}

export const INFO_TABLE = 'evisa_information_request';

/** An officer's request for information and what the applicant answered (null until they do). */
export interface InformationExchange {
  message: string;
  deadline: Date;
  answer: string | null;
  answeredAt: Date | null;
}
export const WITHDRAWABLE = ['DRAFT', 'SUBMITTED', 'IN_REVIEW', 'INFO_REQUESTED'];

/** How a surname is compared for the status check: upper case, single spaces. */
export function lookupSurname(surname: string): string {
  return surname.normalize('NFC').trim().replace(/\s+/g, ' ').toUpperCase();
}
