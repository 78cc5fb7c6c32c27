import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { BlindIndex, DomainException, Metrics, RateLimiter } from '@app/platform';

/** Per IP: a foreign authority's desk behind one address checks many certificates, a scraper many more. */
export const CERTIFICATE_LOOKUPS_PER_MINUTE = 30;

/** What the register says of a certificate: the certificate itself, never the applicant. */
export interface CertificateAnswer {
  result: 'valid' | 'not_found';
  certificate?: {
    certificateNumber: string;
    issuedOn: string;
    postCode: string;
    postNameEn: string;
    postNameZh: string;
    documentTypes: string[];
    documents: number;
  };
}

@Injectable()
export class CertificateRegisterMetrics {
  readonly lookups: Counter<'result'>;

  constructor(metrics: Metrics) {
    this.lookups = new Counter({
      name: 'authentication_verifications_total',
      help: 'Public authentication certificate look-ups (number + issue date), by result',
      labelNames: ['result'],
      registers: [metrics.registry],
    });
  }
}

/** Certificate numbers are printed `TWA-2026-000123`; people type them with spaces or in lower case. */
export function normaliseCertificateNumber(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

/**
 * The public register of authentication certificates, as the e-APP e-Registers: the number and the
 * issue date must both match. A wrong date and an unknown number run the same single query and get
 * the same answer. Look-ups are rate-limited per IP, counted and recorded without what was asked.
 */
@Injectable()
export class CertificateRegister {
  constructor(
    private readonly dataSource: DataSource,
    private readonly limiter: RateLimiter,
    private readonly blindIndex: BlindIndex,
    private readonly metrics: CertificateRegisterMetrics,
  ) {}

  async lookUp(certificateNumber: string, issuedOn: string, clientIp: string): Promise<CertificateAnswer> {
    try {
      await this.limiter.consume(`verify-authentication:${clientIp}`, CERTIFICATE_LOOKUPS_PER_MINUTE, 60);
    } catch (error) {
      if (error instanceof DomainException) {
        this.metrics.lookups.inc({ result: 'rate_limited' });
        throw error;
      }
      throw new DomainException('NOT_READY', 'Verification is unavailable for a moment. Try again shortly.');
    }
    const date = isRealDate(issuedOn) ? issuedOn : '0001-01-01';
    const [row] = (await this.dataSource.query(
      `SELECT r.certificate_number, r.authenticated_on::text AS issued_on, p.code, p.name_en, p.name_zh,
              (SELECT array_agg(DISTINCT i.document_type ORDER BY i.document_type) FROM legalisation_item i WHERE i.case_id = r.case_id) AS types,
              (SELECT sum(i.originals)::int FROM legalisation_item i WHERE i.case_id = r.case_id) AS documents
         FROM legalisation_request r JOIN "case" c ON c.id = r.case_id JOIN post p ON p.code = c.post_code
        WHERE r.certificate_number = $1 AND r.authenticated_on = $2::date
          AND c.status IN ('AUTHENTICATED', 'READY_FOR_PICKUP', 'MAILED', 'COMPLETED')`,
      [normaliseCertificateNumber(certificateNumber), date],
    )) as {
      certificate_number: string;
      issued_on: string;
      code: string;
      name_en: string;
      name_zh: string;
      types: string[];
      documents: number;
    }[];
    const answer: CertificateAnswer = row
      ? {
          result: 'valid',
          certificate: {
            certificateNumber: row.certificate_number,
            issuedOn: row.issued_on,
            postCode: row.code,
            postNameEn: row.name_en,
            postNameZh: row.name_zh,
            documentTypes: row.types ?? [],
            documents: row.documents ?? 0,
          },
        }
      : { result: 'not_found' };
    await this.dataSource.query(`INSERT INTO legalisation_verification_lookup (result, ip_hash) VALUES ($1, $2)`, [
      answer.result,
      this.blindIndex.of('verification-ip', clientIp),
    ]);
    this.metrics.lookups.inc({ result: answer.result });
    return answer;
  }
}

function isRealDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
