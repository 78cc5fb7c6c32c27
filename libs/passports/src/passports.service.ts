import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type CaseRecord, CaseSpine } from '@app/cases';
import {
  BlindIndex,
  Clock,
  DomainException,
  type FieldError,
  FieldCipher,
  FileService,
  RateLimiter,
  type SniffedType,
  type Translate,
  ValidationException,
} from '@app/platform';
import { type AnswerRules, type ApplicantAnswer, InformationRequests, type InformationRequestView } from '@app/review';
import { PassportErrors } from './errors.js';
import { PHOTO_TYPES } from './photo.js';
import { type Fee, feeFor, PASSPORT_SETTINGS, type PassportKind, type PassportSettings } from './settings.js';
import { checkIdentity, checkKind, checkPrevious, type PassportIdentity, type PreviousPassport, text } from './validation.js';
import { passportMachine } from './passport.machine.js';

export interface PassportPost {
  code: string;
  kind: string;
  nameEn: string;
  nameZh: string;
}

export interface PassportSubmission {
  kind: PassportKind;
  identity: PassportIdentity;
  previous: PreviousPassport;
  postCode: string;
}

export interface PassportSubmissionResult {
  caseId: string;
  reference: string;
  status: string;
  postCode: string;
  fee: Fee;
}

/** What officers, the status page and the subject access export see of an application, decrypted. */
export interface PassportView {
  caseId: string;
  reference: string;
  kind: PassportKind;
  surname: string | null;
  givenNames: string | null;
  chineseName: string | null;
  sex: string | null;
  dateOfBirth: string | null;
  placeOfBirth: string | null;
  nationalId: string | null;
  previousPassportNumber: string | null;
  policeReportReference: string | null;
  photoFileId: string | null;
  fee: Fee;
  post: PassportPost;
  passportNumber: string | null;
  printedAt: Date | null;
  dispatchTracking: string | null;
  dispatchedAt: Date | null;
  readyAt: Date | null;
  collectedAt: Date | null;
  informationRequests: InformationRequestView[];
}

export interface PassportSubmissionSource {
  idempotencyKey?: string | null;
  /** For the per-IP limit; null for calls that do not come from the internet. */
  clientIp: string | null;
}

/** Columns sealed with FieldCipher (`passport_application.<column>:<caseId>`). */
type SealedColumn =
  | 'surname'
  | 'given_names'
  | 'chinese_name'
  | 'date_of_birth'
  | 'place_of_birth'
  | 'national_id'
  | 'previous_passport_number'
  | 'police_report_reference'
  | 'passport_number';

/** How this service's answers to requests for information are named, limited and recorded. */
const ANSWER_RULES: AnswerRules = {
  machine: passportMachine,
  eventType: 'passport.information_provided',
  notFoundCode: PassportErrors.PASSPORT_INFORMATION_REQUEST_NOT_FOUND,
  rateLimitKey: 'passport-answer',
};

/**
 * Chip passport applications: submitted with the photo in one transaction (case, photo file and
 * application — all or nothing), read back decrypted for officers, the status page and exports,
 * and answered by the applicant when an officer asks for more.
 */
@Injectable()
export class PassportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly cipher: FieldCipher,
    private readonly blindIndex: BlindIndex,
    private readonly files: FileService,
    private readonly clock: Clock,
    private readonly limiter: RateLimiter,
    private readonly informationRequests: InformationRequests,
    @Inject(PASSPORT_SETTINGS) readonly settings: PassportSettings,
  ) {}

  today(): string {
    return this.clock.now().toISOString().slice(0, 10);
  }

  /** Posts that take passport applications (and where the applicant collects the passport). */
  async posts(): Promise<PassportPost[]> {
    return (await this.dataSource.query(
      `SELECT code, kind, name_en AS "nameEn", name_zh AS "nameZh" FROM post WHERE 'passport' = ANY (services) ORDER BY kind <> 'hq', code`,
    )) as PassportPost[];
  }

  async post(code: string): Promise<PassportPost> {
    const found = (await this.posts()).find((post) => post.code === code);
    if (!found) throw new DomainException(PassportErrors.PASSPORT_POST_NOT_OFFERING, 'This post does not take passport applications.');
    return found;
  }

  /** The fee and validity for someone born on this day applying at this post. */
  fee(dateOfBirth: string, post: PassportPost): Fee {
    return feeFor(this.settings, dateOfBirth, this.today(), post.kind === 'hq');
  }

  /** The API's `application` object, checked field by field. */
  parse(body: Record<string, unknown>, t: Translate): PassportSubmission {
    const errors: FieldError[] = [];
    const kind = checkKind(body, t);
    errors.push(...kind.errors);
    const identity = checkIdentity(body, t, this.today());
    errors.push(...identity.errors);
    const previous = kind.value ? checkPrevious(body, kind.value, t) : { value: null, errors: [] };
    errors.push(...previous.errors);
    const postCode = text(body.postCode);
    if (!postCode) errors.push({ field: 'postCode', messages: [t('passports.err.post')] });
    if (errors.length) throw new ValidationException(errors);
    return { kind: kind.value!, identity: identity.value!, previous: previous.value!, postCode };
  }

  /**
   * Opens the case SUBMITTED at the collecting post, stores the photo and writes the application,
   * in one transaction. With an Idempotency-Key, the same key returns the first result; a key used
   * for another application is refused. Each address may submit `applicationsPerIpPerDay` a day.
   */
  async submit(
    input: PassportSubmission,
    photo: { bytes: Buffer; mimeType: SniffedType },
    source: PassportSubmissionSource,
  ): Promise<PassportSubmissionResult> {
    const idempotencyKey = source.idempotencyKey ?? null;
    if (idempotencyKey) {
      const earlier = await this.byIdempotencyKey(idempotencyKey, input);
      if (earlier) return earlier;
    }
    if (source.clientIp)
      await this.limiter.consume(`passport-application:${source.clientIp}`, this.settings.applicationsPerIpPerDay, 86_400);
    const post = await this.post(input.postCode);
    const fee = this.fee(input.identity.dateOfBirth, post);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const { identity, previous } = input;
        const opened = await this.spine.openCase(manager, {
          machine: passportMachine,
          status: 'SUBMITTED',
          postCode: post.code,
          locale: identity.locale,
          applicant: { name: `${identity.givenNames} ${identity.surname}`, email: identity.email, phone: identity.phone || null },
          lookup: { surname: identity.surname, dateOfBirth: identity.dateOfBirth },
          actor: { type: 'applicant' },
          event: { type: 'passport.submitted', payload: { kind: input.kind, fee: fee.amount, currency: fee.currency } },
        });
        const file = await this.files.store(manager, {
          bytes: photo.bytes,
          kind: 'passport-photo',
          caseId: opened.id,
          allowedTypes: PHOTO_TYPES,
          maxBytes: this.settings.photo.maxBytes,
        });
        const seal = (column: SealedColumn, value: string) => (value ? this.seal(opened.id, column, value) : null);
        await manager.query(
          `INSERT INTO passport_application (case_id, kind, surname, given_names, chinese_name, sex, date_of_birth, place_of_birth,
             national_id, national_id_index, previous_passport_number, previous_passport_index, police_report_reference, photo_file_id,
             age_band, validity_years, fee_amount, fee_currency, idempotency_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
          [
            opened.id,
            input.kind,
            seal('surname', identity.surname),
            seal('given_names', identity.givenNames),
            seal('chinese_name', identity.chineseName),
            identity.sex,
            seal('date_of_birth', identity.dateOfBirth),
            seal('place_of_birth', identity.placeOfBirth),
            seal('national_id', identity.nationalId),
            identity.nationalId ? this.blindIndex.of('national-id', identity.nationalId) : null,
            seal('previous_passport_number', previous.previousPassportNumber),
            previous.previousPassportNumber ? this.blindIndex.of('passport', previous.previousPassportNumber) : null,
            seal('police_report_reference', previous.policeReportReference),
            file.id,
            fee.ageBand,
            fee.validityYears,
            fee.amount,
            fee.currency,
            idempotencyKey,
          ],
        );
        return { caseId: opened.id, reference: opened.reference, status: opened.status, postCode: post.code, fee };
      });
    } catch (error) {
      // Two requests with one key at once: the loser returns what the winner wrote.
      if (idempotencyKey && (error as { constraint?: string }).constraint === 'passport_application_idempotency_key_key') {
        const earlier = await this.byIdempotencyKey(idempotencyKey, input);
        if (earlier) return earlier;
      }
      throw error;
    }
  }

  async view(caseId: string, manager: EntityManager = this.dataSource.manager): Promise<PassportView | null> {
    const [row] = (await manager.query(
      `SELECT a.*, c.reference, p.code, p.kind AS post_kind, p.name_en, p.name_zh
         FROM passport_application a JOIN "case" c ON c.id = a.case_id JOIN post p ON p.code = c.post_code
        WHERE a.case_id = $1`,
      [caseId],
    )) as Record<string, never>[];
    if (!row) return null;
    const open = (column: SealedColumn) => this.open(caseId, column, row[column]);
    return {
      caseId,
      reference: row.reference,
      kind: row.kind,
      surname: open('surname'),
      givenNames: open('given_names'),
      chineseName: open('chinese_name'),
      sex: row.sex,
      dateOfBirth: open('date_of_birth'),
      placeOfBirth: open('place_of_birth'),
      nationalId: open('national_id'),
      previousPassportNumber: open('previous_passport_number'),
      policeReportReference: open('police_report_reference'),
      photoFileId: row.photo_file_id,
      fee: { ageBand: row.age_band, validityYears: row.validity_years, amount: row.fee_amount, currency: row.fee_currency },
      post: { code: row.code, kind: row.post_kind, nameEn: row.name_en, nameZh: row.name_zh },
      passportNumber: open('passport_number'),
      printedAt: row.printed_at,
      dispatchTracking: row.dispatch_tracking,
      dispatchedAt: row.dispatched_at,
      readyAt: row.ready_at,
      collectedAt: row.collected_at,
      informationRequests: await this.informationRequests.list(manager, caseId),
    };
  }

  /**
   * The applicant's answer to a request for information: found by reference, surname and date of
   * birth (a wrong one and an unknown reference get the same answer); moves INFO_REQUESTED → SUBMITTED.
   */
  answer(input: ApplicantAnswer, clientIp: string): Promise<CaseRecord> {
    return this.informationRequests.answer(input, clientIp, ANSWER_RULES);
  }

  /** The blind index of a passport number, for uniqueness and search. */
  passportNumberIndex(passportNumber: string): string {
    return this.blindIndex.of('passport', passportNumber);
  }

  seal(caseId: string, column: string, value: string): string {
    return this.sealIn('passport_application', column, caseId, value);
  }

  open(caseId: string, column: string, value: string | null): string | null {
    return this.openIn('passport_application', column, caseId, value);
  }

  sealIn(table: string, column: string, rowId: string, value: string): string {
    return this.cipher.encrypt(value, `${table}.${column}:${rowId}`);
  }

  openIn(table: string, column: string, rowId: string, value: string | null): string | null {
    return value ? this.cipher.decrypt(value, `${table}.${column}:${rowId}`) : null;
  }

  private async byIdempotencyKey(key: string, input: PassportSubmission): Promise<PassportSubmissionResult | null> {
    const [row] = (await this.dataSource.query(
      `SELECT a.case_id, a.kind, c.reference, c.status, c.post_code FROM passport_application a JOIN "case" c ON c.id = a.case_id
        WHERE a.idempotency_key = $1`,
      [key],
    )) as { case_id: string; kind: string; reference: string; status: string; post_code: string }[];
    if (!row) return null;
    const view = (await this.view(row.case_id))!;
    if (row.post_code !== input.postCode || row.kind !== input.kind || view.surname !== input.identity.surname) {
      throw new DomainException(PassportErrors.PASSPORT_IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used for another application.');
    }
    return { caseId: row.case_id, reference: row.reference, status: row.status, postCode: row.post_code, fee: view.fee };
  }
}
