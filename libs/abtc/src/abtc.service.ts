import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseSpine, ServiceCatalogue } from '@app/cases';
import {
  BlindIndex,
  Clock,
  DomainException,
  type FieldError,
  FieldCipher,
  RateLimiter,
  type Translate,
  ValidationException,
} from '@app/platform';
import { localParts, SlaCalculator } from '@app/review';
import { AbtcErrors } from './errors.js';
import { ABTC_SETTINGS, type AbtcSettings, clearanceEconomies, type Economy } from './settings.js';
import {
  type ApplicantDetails,
  type BusinessDetails,
  checkApplicant,
  checkBusiness,
  checkPassport,
  type PassportDetails,
  type Sex,
} from './validation.js';
import { abtcMachine } from './abtc.machine.js';

export interface SubmissionInput {
  applicant: ApplicantDetails;
  passport: PassportDetails;
  business: BusinessDetails;
}

export interface SubmissionResult {
  caseId: string;
  reference: string;
  status: string;
  feeTwd: number;
}

export interface SubmissionSource {
  idempotencyKey?: string | null;
  /** The applicant's address, for the per-IP limit; null for calls that do not come from the internet. */
  clientIp: string | null;
}

export type ClearanceStatus = 'PENDING' | 'APPROVED' | 'REFUSED' | 'NOT_APPLICABLE';

export interface ClearanceView {
  economy: Economy;
  status: ClearanceStatus;
  decidedAt: Date | null;
  note: string | null;
}

/** An application as officers, the status page and the subject access export see it, decrypted (null once erased). */
export interface ApplicationView {
  caseId: string;
  reference: string;
  givenNames: string | null;
  surname: string | null;
  dateOfBirth: string | null;
  sex: Sex;
  nationality: string;
  passportNumber: string | null;
  passportExpiry: string;
  companyName: string | null;
  jobTitle: string | null;
  businessReason: string | null;
  cardNumber: string | null;
  validFrom: string | null;
  validUntil: string | null;
  clearances: ClearanceView[];
}

/** The encrypted columns of `abtc_application`, each sealed as `abtc_application.<column>:<caseId>`. */
type SealedColumn = 'given_names' | 'surname' | 'date_of_birth' | 'passport_number' | 'company_name' | 'job_title' | 'business_reason';

/**
 * ABTC applications: submitted in one transaction (case and application, all or nothing), read
 * decrypted by officers, the status page and exports, and given one pre-clearance per economy when
 * the home check is done.
 */
@Injectable()
export class AbtcService {
  private readonly sla = new SlaCalculator();

  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly cipher: FieldCipher,
    private readonly blindIndex: BlindIndex,
    private readonly clock: Clock,
    private readonly limiter: RateLimiter,
    @Inject(ABTC_SETTINGS) readonly settings: AbtcSettings,
    private readonly catalogue: ServiceCatalogue,
  ) {}

  today(): string {
    return this.clock.now().toISOString().slice(0, 10);
  }

  /** The whole application as the JSON API sends it, checked field by field (names like `passport.passportNumber`). */
  parse(body: Record<string, unknown>, t: Translate): SubmissionInput {
    const today = this.today();
    const applicant = checkApplicant(asObject(body.applicant), t, today, 'applicant.');
    const passport = checkPassport(asObject(body.passport), t, today, 'passport.');
    const business = checkBusiness(asObject(body.business), t, 'business.');
    const errors: FieldError[] = [...applicant.errors, ...passport.errors, ...business.errors];
    if (errors.length) throw new ValidationException(errors);
    return { applicant: applicant.value!, passport: passport.value!, business: business.value! };
  }

  /**
   * Opens the case SUBMITTED at the processing post and writes the application, in one transaction.
   * With an Idempotency-Key, the same key returns the first result; a key used for another passport
   * is refused. Each address may submit `submissionsPerIpPerDay` applications a day.
   */
  async submit(input: SubmissionInput, source: SubmissionSource): Promise<SubmissionResult> {
    const idempotencyKey = source.idempotencyKey ?? null;
    const passportIndex = this.passportIndex(input.passport.passportNumber);
    if (idempotencyKey) {
      const earlier = await this.byIdempotencyKey(idempotencyKey, passportIndex);
      if (earlier) return earlier;
    }
    if (source.clientIp) await this.limiter.consume(`abtc-submission:${source.clientIp}`, this.settings.submissionsPerIpPerDay, 86_400);
    const post = await this.processingPost();
    const now = this.clock.now();
    try {
      return await this.dataSource.transaction(async (manager) => {
        const { applicant, passport, business } = input;
        const opened = await this.spine.openCase(manager, {
          machine: abtcMachine,
          status: 'SUBMITTED',
          postCode: post.code,
          locale: applicant.locale,
          applicant: { name: `${applicant.givenNames} ${applicant.surname}`, email: applicant.email, phone: applicant.phone || null },
          lookup: { surname: applicant.surname, dateOfBirth: applicant.dateOfBirth },
          slaDueAt: this.sla.dueAt(this.catalogue.get(abtcMachine.service).sla, now, post),
          at: now,
          actor: { type: 'applicant' },
          event: { type: 'abtc.submitted', payload: { feeTwd: this.settings.feeTwd } },
        });
        const seal = (column: SealedColumn, value: string) => this.seal(column, opened.id, value);
        await manager.query(
          `INSERT INTO abtc_application (case_id, given_names, surname, date_of_birth, sex, nationality, passport_number,
                                         passport_number_index, passport_expiry, company_name, job_title, business_reason, idempotency_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
          [
            opened.id,
            seal('given_names', applicant.givenNames),
            seal('surname', applicant.surname),
            seal('date_of_birth', applicant.dateOfBirth),
            applicant.sex,
            passport.nationality,
            seal('passport_number', passport.passportNumber),
            passportIndex,
            passport.passportExpiry,
            seal('company_name', business.companyName),
            seal('job_title', business.jobTitle),
            seal('business_reason', business.businessReason),
            idempotencyKey,
          ],
        );
        return { caseId: opened.id, reference: opened.reference, status: opened.status, feeTwd: this.settings.feeTwd };
      });
    } catch (error) {
      // Two requests with one key at once: the loser returns what the winner wrote.
      if (idempotencyKey && (error as { constraint?: string }).constraint === 'abtc_application_idempotency_key_key') {
        const earlier = await this.byIdempotencyKey(idempotencyKey, passportIndex);
        if (earlier) return earlier;
      }
      throw error;
    }
  }

  async view(caseId: string, manager: EntityManager = this.dataSource.manager): Promise<ApplicationView | null> {
    const [row] = (await manager.query(
      `SELECT a.*, c.reference, a.passport_expiry::text AS passport_expiry, a.valid_from::text AS valid_from,
              a.valid_until::text AS valid_until
         FROM abtc_application a JOIN "case" c ON c.id = a.case_id WHERE a.case_id = $1`,
      [caseId],
    )) as Record<string, never>[];
    if (!row) return null;
    const open = (column: SealedColumn) => this.open(column, caseId, row[column]);
    return {
      caseId,
      reference: row.reference,
      givenNames: open('given_names'),
      surname: open('surname'),
      dateOfBirth: open('date_of_birth'),
      sex: row.sex,
      nationality: row.nationality,
      passportNumber: open('passport_number'),
      passportExpiry: row.passport_expiry,
      companyName: open('company_name'),
      jobTitle: open('job_title'),
      businessReason: open('business_reason'),
      cardNumber: row.card_number,
      validFrom: row.valid_from,
      validUntil: row.valid_until,
      clearances: await this.clearances(manager, caseId),
    };
  }

  /** The case's clearances in the order of the economies in the settings. */
  async clearances(manager: EntityManager, caseId: string): Promise<ClearanceView[]> {
    const rows = (await manager.query(`SELECT economy, status, decided_at, note FROM abtc_clearance WHERE case_id = $1`, [caseId])) as {
      economy: string;
      status: ClearanceStatus;
      decided_at: Date | null;
      note: string | null;
    }[];
    const byCode = new Map(rows.map((row) => [row.economy, row]));
    return this.settings.economies.flatMap((economy) => {
      const row = byCode.get(economy.code);
      if (!row) return [];
      return [{ economy, status: row.status, decidedAt: row.decided_at, note: this.openNote(caseId, economy.code, row.note) }];
    });
  }

  /** The home check passed: one clearance per economy, PENDING for full members and NOT_APPLICABLE for transitional ones. */
  async openClearances(manager: EntityManager, caseId: string): Promise<void> {
    const economies = clearanceEconomies(this.settings);
    await manager.query(
      `INSERT INTO abtc_clearance (case_id, economy, status)
       SELECT $1, economy, status FROM unnest($2::text[], $3::text[]) AS e (economy, status)`,
      [caseId, economies.map((e) => e.code), economies.map((e) => (e.member === 'full' ? 'PENDING' : 'NOT_APPLICABLE'))],
    );
  }

  /** The local date (YYYY-MM-DD) at the processing post: the card's issue date. */
  async localDate(at: Date = this.clock.now()): Promise<string> {
    const local = localParts(at, (await this.processingPost()).timeZone);
    return `${local.year}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
  }

  sealNote(caseId: string, economy: string, note: string): string {
    return this.cipher.encrypt(note, `abtc_clearance.note:${caseId}:${economy}`);
  }

  private openNote(caseId: string, economy: string, value: string | null): string | null {
    return value ? this.cipher.decrypt(value, `abtc_clearance.note:${caseId}:${economy}`) : null;
  }

  private passportIndex(passportNumber: string): string {
    return this.blindIndex.of('abtc-passport', passportNumber);
  }

  private seal(column: SealedColumn, caseId: string, value: string): string {
    return this.cipher.encrypt(value, `abtc_application.${column}:${caseId}`);
  }

  private open(column: SealedColumn, caseId: string, value: string | null): string | null {
    return value ? this.cipher.decrypt(value, `abtc_application.${column}:${caseId}`) : null;
  }

  private async processingPost(): Promise<{ code: string; timeZone: string }> {
    const [post] = (await this.dataSource.query(`SELECT code, time_zone AS "timeZone" FROM post WHERE code = $1`, [
      this.settings.processingPost,
    ])) as { code: string; timeZone: string }[];
    if (!post) throw new Error(`the ABTC processing post ${this.settings.processingPost} does not exist`);
    return post;
  }

  private async byIdempotencyKey(key: string, passportIndex: string): Promise<SubmissionResult | null> {
    const [row] = (await this.dataSource.query(
      `SELECT a.case_id, a.passport_number_index, c.reference, c.status FROM abtc_application a JOIN "case" c ON c.id = a.case_id
        WHERE a.idempotency_key = $1`,
      [key],
    )) as { case_id: string; passport_number_index: string | null; reference: string; status: string }[];
    if (!row) return null;
    if (row.passport_number_index !== passportIndex) {
      throw new DomainException(AbtcErrors.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used for another application.');
    }
    return { caseId: row.case_id, reference: row.reference, status: row.status, feeTwd: this.settings.feeTwd };
  }
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
