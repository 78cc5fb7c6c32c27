import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { DomainException, FileRecord, FileService, type Locale, Messages, SignedTokens } from '@app/platform';
import { EvisaErrors } from '../errors.js';
import { EVISA_DOCUMENT_KIND } from '../jobs/render-evisa.handler.js';

export const DOWNLOAD_TOKEN_PURPOSE = 'evisa-download';
export const DOWNLOAD_TOKEN_SECONDS = 15 * 60;

/** Whether the applicant can download their eVisa, as their case page shows it. */
export type EvisaDocumentState =
  { state: 'none' } | { state: 'revoked' } | { state: 'available'; token: string; expiresAt: Date; filename: string };

export interface EvisaDownload {
  bytes: Buffer;
  filename: string;
}

interface DocumentRow {
  id: string;
  file_id: string;
  status: string;
  reference: string;
}

/**
 * The applicant's eVisa PDF. The case page (or the JSON API) holds the applicant token; from it
 * comes a short-lived download token (15 minutes, purpose `evisa-download`) that names only the
 * generated_document, so the link can sit in a URL and expire before it matters where it ends up.
 * A revoked eVisa is never served, even with a link made before the revocation.
 */
@Injectable()
export class EvisaDownloadService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: SignedTokens,
    private readonly files: FileService,
    private readonly messages: Messages,
  ) {}

  async stateFor(caseId: string): Promise<EvisaDocumentState> {
    const [row] = (await this.dataSource.query(
      `SELECT d.id, d.file_id, c.status, c.reference FROM "case" c
       LEFT JOIN generated_document d ON d.case_id = c.id AND d.kind = $2 AND d.locale = c.locale
       WHERE c.id = $1`,
      [caseId, EVISA_DOCUMENT_KIND],
    )) as (Omit<DocumentRow, 'id'> & { id: string | null })[];
    if (row?.status === 'REVOKED') return { state: 'revoked' };
    if (row?.status !== 'ISSUED' || !row.id) return { state: 'none' };
    return {
      state: 'available',
      token: this.tokens.sign(DOWNLOAD_TOKEN_PURPOSE, row.id, DOWNLOAD_TOKEN_SECONDS),
      expiresAt: new Date(Date.now() + DOWNLOAD_TOKEN_SECONDS * 1000),
      filename: filenameFor(row.reference),
    };
  }

  /** The PDF a download token names. A bad, expired or unknown token gets one answer; a revoked eVisa another. */
  async open(token: unknown, locale: Locale): Promise<EvisaDownload> {
    const t = this.messages.translator(locale);
    const notFound = () => new DomainException(EvisaErrors.EVISA_DOCUMENT_NOT_FOUND, t('evisa.download.invalidLink'));
    let documentId: string;
    try {
      documentId = this.tokens.verify(String(token ?? ''), DOWNLOAD_TOKEN_PURPOSE).subject;
    } catch {
      throw notFound();
    }
    const [row] = (await this.dataSource.query(
      `SELECT d.id, d.file_id, c.status, c.reference FROM generated_document d JOIN "case" c ON c.id = d.case_id
       WHERE d.id = $1 AND d.kind = $2`,
      [documentId, EVISA_DOCUMENT_KIND],
    )) as DocumentRow[];
    if (row?.status === 'REVOKED') throw new DomainException(EvisaErrors.EVISA_REVOKED, t('evisa.download.revoked'));
    if (row?.status !== 'ISSUED') throw notFound();
    const file = await this.dataSource.manager.findOneBy(FileRecord, { id: row.file_id });
    if (!file || file.mimeType !== 'application/pdf') throw notFound();
    return { bytes: await this.files.read(file), filename: filenameFor(row.reference) };
  }
}

/** References are A–Z, 0–9 and hyphens, so the name needs no quoting beyond the double quotes. */
function filenameFor(reference: string): string {
  return `evisa-${reference}.pdf`;
}

/** Sends the PDF as a download that no cache keeps and no browser sniffs into something else. */
export function sendEvisaPdf(reply: FastifyReply, download: EvisaDownload): FastifyReply {
  return reply
    .code(200)
    .header('content-type', 'application/pdf')
    .header('content-disposition', `attachment; filename="${download.filename}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(download.bytes);
}
