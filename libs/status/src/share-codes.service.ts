import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CaseRecord, GeneratedDocument, ServiceCatalogue, type SharedDocumentView } from '@app/cases';
import { BlindIndex, DomainException, type Locale, Messages, RateLimiter, RateLimitErrors, ValidationException } from '@app/platform';
import { CaseAccess } from './case-access.js';
import { StatusErrors } from './errors.js';
import { documentsValid, genericPublicView } from './shareable-document.js';
import { formatShareCode, generateShareCode, parseShareCode } from './share-code.js';

export const SHARE_CODE_TTL_DAYS = 30;
export const MAX_ACTIVE_SHARE_CODES = 20;
const CHECK_LIMIT = { limit: 20, windowSeconds: 600 };

export interface CreatedShareCode {
  id: string;
  /** Shown once, formatted `XXX-XXX-XXX`; only its hash is kept. */
  code: string;
  documentId: string;
  expiresAt: Date;
}

export interface ShareCodeCheck {
  organisation: string;
  checkedAt: Date;
  codeExpiresAt: Date;
  document: SharedDocumentView;
}

/**
 * "View and prove": the holder of an issued document creates a code (30 days, revocable); a
 * third party enters it with the name of their organisation and sees the document's validity
 * and what the document itself shows. Every use is logged for the holder to see.
 */
@Injectable()
export class ShareCodesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: CaseAccess,
    private readonly blindIndex: BlindIndex,
    private readonly limiter: RateLimiter,
    private readonly messages: Messages,
    private readonly catalogue: ServiceCatalogue,
  ) {}

  async create(accessToken: unknown, documentId: unknown, locale: Locale): Promise<CreatedShareCode> {
    const t = this.messages.translator(locale);
    const caseId = this.access.caseIdFromAccess(accessToken);
    return this.dataSource.transaction(async (manager) => {
      const caseRecord = await manager.findOneByOrFail(CaseRecord, { id: caseId });
      const document =
        typeof documentId === 'string' && /^[0-9a-f-]{36}$/i.test(documentId)
          ? await manager.findOneBy(GeneratedDocument, { id: documentId, caseId })
          : null;
      if (!document) throw new ValidationException([{ field: 'documentId', messages: [t('shareCode.error.document')] }]);
      if (!documentsValid(this.catalogue.get(caseRecord.service), caseRecord.status)) {
        throw new DomainException(StatusErrors.SHARE_CODE_NOT_ALLOWED, t('shareCode.error.notIssued'));
      }
      await manager.query(`SELECT id FROM "case" WHERE id = $1 FOR UPDATE`, [caseId]);
      const [{ active }] = (await manager.query(
        `SELECT count(*)::int AS active FROM share_code WHERE case_id = $1 AND revoked_at IS NULL AND expires_at > now()`,
        [caseId],
      )) as { active: number }[];
      if (active >= MAX_ACTIVE_SHARE_CODES) throw new DomainException(StatusErrors.SHARE_CODE_LIMIT, t('shareCode.error.limit'));
      const id = randomUUID();
      const code = generateShareCode();
      const [row] = (await manager.query(
        `INSERT INTO share_code (id, case_id, document_id, code_hash, code_last3, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING expires_at AS "expiresAt"`,
        [id, caseId, document.id, this.hash(code), code.slice(-3), SHARE_CODE_TTL_DAYS],
      )) as { expiresAt: Date }[];
      return { id, code: formatShareCode(code), documentId: document.id, expiresAt: row!.expiresAt };
    });
  }

  async revoke(accessToken: unknown, shareCodeId: unknown): Promise<void> {
    const caseId = this.access.caseIdFromAccess(accessToken);
    const known = typeof shareCodeId === 'string' && /^[0-9a-f-]{36}$/i.test(shareCodeId);
    const revoked = known
      ? ((await this.dataSource.query(
          `UPDATE share_code SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND case_id = $2 RETURNING id`,
          [shareCodeId, caseId],
        )) as [unknown[], number])
      : null;
    if (revoked?.[1] !== 1) throw new DomainException(StatusErrors.SHARE_CODE_NOT_FOUND, 'No such share code on this case.');
  }

  /** A third party checks a code. Unknown, expired and revoked codes get one answer. */
  async check(input: { code?: unknown; organisation?: unknown }, context: { ip: string; locale: Locale }): Promise<ShareCodeCheck> {
    const t = this.messages.translator(context.locale);
    const limit = await this.limiter.hit(`share-check-ip:${context.ip}`, CHECK_LIMIT.limit, CHECK_LIMIT.windowSeconds);
    if (!limit.allowed) {
      throw new DomainException(RateLimitErrors.TOO_MANY_REQUESTS, t('shareCode.tooMany'), { retryAfterSeconds: limit.retryAfterSeconds });
    }
    const code = parseShareCode(input.code);
    const organisation = typeof input.organisation === 'string' ? input.organisation.normalize('NFKC').trim().replace(/\s+/g, ' ') : '';
    const problems = [];
    if (!code) problems.push({ field: 'code', messages: [t('shareCode.error.code')] });
    if (organisation.length < 2 || organisation.length > 120)
      problems.push({ field: 'organisation', messages: [t('shareCode.error.organisation')] });
    if (!code || problems.length > 0) throw new ValidationException(problems, t('common.errorSummaryTitle'));

    return this.dataSource.transaction(async (manager) => {
      const [shared] = (await manager.query(
        `SELECT id, case_id AS "caseId", document_id AS "documentId", expires_at AS "expiresAt" FROM share_code
          WHERE code_hash = $1 AND revoked_at IS NULL AND expires_at > now()`,
        [this.hash(code)],
      )) as { id: string; caseId: string; documentId: string; expiresAt: Date }[];
      if (!shared) throw new DomainException(StatusErrors.SHARE_CODE_NOT_FOUND, t('shareCode.notFound'));
      const [use] = (await manager.query(
        `INSERT INTO share_code_use (share_code_id, organisation, ip_hash) VALUES ($1, $2, $3) RETURNING created_at AS "at"`,
        [shared.id, organisation, this.access.ipHash(context.ip)],
      )) as { at: Date }[];
      const caseRecord = await manager.findOneByOrFail(CaseRecord, { id: shared.caseId });
      const document = await manager.findOneByOrFail(GeneratedDocument, { id: shared.documentId });
      const input = { manager, caseRecord, document, locale: context.locale, t };
      const port = this.catalogue.shareableDocument(caseRecord.service);
      return {
        organisation,
        checkedAt: use!.at,
        codeExpiresAt: shared.expiresAt,
        document: port
          ? await port.publicView(input)
          : genericPublicView(input, documentsValid(this.catalogue.get(caseRecord.service), caseRecord.status)),
      };
    });
  }

  private hash(code: string): string {
    return this.blindIndex.of('share-code', code);
  }
}
