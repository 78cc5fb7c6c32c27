import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { Clock, BlindIndex, DomainException, Metrics, RateLimiter } from '@app/platform';
import { parseSealMrz, type SealFailure, SealService } from '@app/documents';
import { ApplicationCipher } from '../application-cipher.js';
import { todayIn } from '../dates.js';
import type { VerificationMethod, VerificationResult } from '../entities/verification-lookup.entity.js';
import { EVISA_SETTINGS, type EvisaSettings } from '../settings.js';

/** Per IP, for both ways of checking: a border desk behind one address checks many travellers, a scraper many more. */
export const EVISA_VERIFICATIONS_PER_MINUTE = 60;

/** What the eVisa itself shows, and nothing more: no date of birth, address, contact details or photo. */
export interface VerifiedEvisa {
  visaNumber: string;
  surname: string;
  givenNames: string;
  /** ISO 3166-1 alpha-3, as printed. */
  nationality: string;
  /** YYYY-MM-DD */
  validFrom: string;
  validUntil: string;
  entries: string;
  stayDays: number;
}

/**
 * The answer of a public eVisa check. `evisa` is present for valid, expired and revoked; never for
 * not_found. A pasted seal also reports its signature: a seal whose signature is good but whose
 * visa number is not in the register (or is, with another seal) is `not_found` — the register,
 * not the seal, says whether an eVisa stands, and the seal's own content is not repeated.
 */
export interface EvisaVerificationAnswer {
  result: VerificationResult;
  evisa?: VerifiedEvisa;
  seal?: { signatureValid: boolean; failure?: SealFailure };
}

interface RegisterRow {
  case_id: string;
  status: 'ISSUED' | 'REVOKED';
  visa_number: string;
  surname: string;
  given_names: string | null;
  nationality: string;
  valid_from: string;
  valid_until: string;
  entries: string;
  stay_days: number;
  seal: string | null;
}

const REGISTER_COLUMNS = `a.case_id, c.status, a.visa_number, a.surname, a.given_names, a.nationality, a.valid_from::text AS valid_from,
  a.valid_until::text AS valid_until, a.entries, a.stay_days, a.seal`;

/** `evisa_verifications_total{method,result}`: valid, expired, revoked, not_found or rate_limited. */
@Injectable()
export class EvisaVerificationMetrics {
  readonly lookups: Counter<'method' | 'result'>;

  constructor(metrics: Metrics) {
    this.lookups = new Counter({
      name: 'evisa_verifications_total',
      help: 'Public eVisa verification look-ups (seal or visa number + passport number), by method and result',
      labelNames: ['method', 'result'],
      registers: [metrics.registry],
    });
  }
}

/**
 * The public eVisa register: by visa number and passport number, or from the seal in the QR code
 * (checked against the published keys, then against the register). Each look-up is rate-limited
 * per IP, counted, and recorded in verification_lookup without personal data.
 */
@Injectable()
export class EvisaVerificationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly seals: SealService,
    private readonly appCipher: ApplicationCipher,
    private readonly blindIndex: BlindIndex,
    private readonly limiter: RateLimiter,
    private readonly metrics: EvisaVerificationMetrics,
    @Inject(EVISA_SETTINGS) private readonly settings: EvisaSettings,
    private readonly clock: Clock,
  ) {}

  /**
   * Found only when both numbers belong to one issued (or revoked) eVisa, through the passport
   * number's blind index: an unknown visa number and a wrong passport number run the same query
   * and get the same answer.
   */
  async byVisaNumber(visaNumber: string, passportNumber: string, clientIp: string): Promise<EvisaVerificationAnswer> {
    await this.limit(clientIp, 'visa_number');
    const [row] = (await this.dataSource.query(
      `SELECT ${REGISTER_COLUMNS} FROM evisa_application a JOIN "case" c ON c.id = a.case_id
       WHERE a.visa_number = $1 AND a.passport_number_index = $2 AND c.status IN ('ISSUED', 'REVOKED')`,
      [normaliseVisaNumber(visaNumber), this.appCipher.passportIndex(passportNumber)],
    )) as RegisterRow[];
    return this.record('visa_number', clientIp, row ? this.answerFor(row) : { result: 'not_found' });
  }

  /** The seal as hex, base32 or the text a QR reader gives. */
  async bySeal(sealText: string, clientIp: string): Promise<EvisaVerificationAnswer> {
    await this.limit(clientIp, 'seal');
    const verification = this.seals.verify(sealText);
    if (!verification.valid) {
      return this.record('seal', clientIp, { result: 'not_found', seal: { signatureValid: false, failure: verification.reason } });
    }
    const visaNumber = visaNumberOf(verification.seal.visa?.mrz);
    const [row] = visaNumber
      ? ((await this.dataSource.query(
          `SELECT ${REGISTER_COLUMNS} FROM evisa_application a JOIN "case" c ON c.id = a.case_id
           WHERE a.visa_number = $1 AND c.status IN ('ISSUED', 'REVOKED')`,
          [visaNumber],
        )) as RegisterRow[])
      : [];
    // The register keeps the one seal it issued for this visa number; any other, however well signed, is not ours.
    const issued = row?.seal ? Buffer.from(this.appCipher.open(row.case_id, 'seal', row.seal)!, 'base64') : null;
    const answer: EvisaVerificationAnswer = row && issued?.equals(verification.seal.bytes) ? this.answerFor(row) : { result: 'not_found' };
    return this.record('seal', clientIp, { ...answer, seal: { signatureValid: true } });
  }

  /** The register's answer for one case, for holders who share their eVisa (no rate limit: the share code is the gate). */
  async byCase(caseId: string): Promise<EvisaVerificationAnswer> {
    const [row] = (await this.dataSource.query(
      `SELECT ${REGISTER_COLUMNS} FROM evisa_application a JOIN "case" c ON c.id = a.case_id
        WHERE a.case_id = $1 AND c.status IN ('ISSUED', 'REVOKED')`,
      [caseId],
    )) as RegisterRow[];
    return row ? this.answerFor(row) : { result: 'not_found' };
  }

  private answerFor(row: RegisterRow): EvisaVerificationAnswer {
    const today = todayIn(this.settings.timeZone, this.clock.now());
    const result: VerificationResult = row.status === 'REVOKED' ? 'revoked' : today > row.valid_until ? 'expired' : 'valid';
    return {
      result,
      evisa: {
        visaNumber: row.visa_number,
        surname: this.appCipher.open(row.case_id, 'surname', row.surname)!,
        givenNames: this.appCipher.open(row.case_id, 'given_names', row.given_names) ?? '',
        nationality: this.appCipher.open(row.case_id, 'nationality', row.nationality)!,
        validFrom: row.valid_from,
        validUntil: row.valid_until,
        entries: row.entries,
        stayDays: row.stay_days,
      },
    };
  }

  /** Past the limit: 429. With Redis away the limiter cannot count, so the check fails closed (503). */
  private async limit(clientIp: string, method: VerificationMethod): Promise<void> {
    try {
      await this.limiter.consume(`verify-evisa:${clientIp}`, EVISA_VERIFICATIONS_PER_MINUTE, 60);
    } catch (error) {
      if (error instanceof DomainException) {
        this.metrics.lookups.inc({ method, result: 'rate_limited' });
        throw error;
      }
      throw new DomainException('NOT_READY', 'Verification is unavailable for a moment. Try again shortly.');
    }
  }

  private async record(method: VerificationMethod, clientIp: string, answer: EvisaVerificationAnswer): Promise<EvisaVerificationAnswer> {
    await this.dataSource.query(`INSERT INTO verification_lookup (kind, method, result, ip_hash) VALUES ('evisa', $1, $2, $3)`, [
      method,
      answer.result,
      this.blindIndex.of('verification-ip', clientIp),
    ]);
    this.metrics.lookups.inc({ method, result: answer.result });
    return answer;
  }
}

/** Visa numbers are printed `EV` + 7 digits; people type them with spaces or in lower case. */
export function normaliseVisaNumber(value: string): string {
  return value.replace(/[\s-]+/g, '').toUpperCase();
}

function visaNumberOf(mrz: string | undefined): string | null {
  if (!mrz) return null;
  try {
    return parseSealMrz(mrz).visaNumber || null;
  } catch {
    return null;
  }
}
