import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CaseSpine, JobName, type JobPayloads, OnJob } from '@app/cases';
import { APP_CONFIG, type AppConfig, FileRecord, FileService, Messages, StoragePort } from '@app/platform';
import { LegalisationService } from '../legalisation.service.js';
import { renderCertificatePdf } from './certificate-pdf.js';

export const CERTIFICATE_DOCUMENT_KIND = 'authentication-certificate';
const CERTIFICATE_FILE_KIND = 'authentication-certificate-pdf';
const MAX_PDF_BYTES = 5 * 1_048_576;

/** The register's page for a certificate, its number and issue date filled in (neither is personal data). */
export function registerUrl(baseUrl: string, certificateNumber: string, issuedOn: string): string {
  return `${baseUrl}/verify/authentication?${new URLSearchParams({ certificate: certificateNumber, issued: issuedOn }).toString()}`;
}

/**
 * Renders the certificate of an authenticated request into a generated_document (unique per case,
 * kind and locale), which the status page then offers. Delivery is at least once: an existing
 * document ends the job, and of two racing runs the one that loses the insert deletes its file.
 */
@Injectable()
export class CertificateHandler {
  private readonly logger = new Logger(CertificateHandler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly requests: LegalisationService,
    private readonly files: FileService,
    private readonly storage: StoragePort,
    private readonly messages: Messages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnJob(JobName.RenderAuthenticationCertificate)
  async handle(payload: JobPayloads[JobName.RenderAuthenticationCertificate]): Promise<{ outcome: string; documentId?: string }> {
    const { caseId } = payload;
    const record = await this.spine.load(this.dataSource.manager, caseId);
    const [existing] = (await this.dataSource.query(`SELECT id FROM generated_document WHERE case_id = $1 AND kind = $2 AND locale = $3`, [
      caseId,
      CERTIFICATE_DOCUMENT_KIND,
      record.locale,
    ])) as { id: string }[];
    if (existing) return { outcome: 'already-rendered', documentId: existing.id };
    const view = await this.requests.view(caseId);
    if (!view?.certificateNumber || !view.authenticatedOn) {
      this.logger.warn(`case ${caseId} has no certificate number: nothing to render`);
      return { outcome: 'skipped' };
    }
    const pdf = await renderCertificatePdf(
      {
        certificateNumber: view.certificateNumber,
        issuedOn: view.authenticatedOn,
        reference: view.reference,
        locale: record.locale,
        post: view.post,
        items: view.items,
        registerUrl: registerUrl(this.config.publicBaseUrl, view.certificateNumber, view.authenticatedOn),
      },
      this.messages,
    );
    const stored = await this.dataSource.transaction(async (manager) => {
      const file = await this.files.store(manager, {
        bytes: pdf,
        kind: CERTIFICATE_FILE_KIND,
        caseId,
        allowedTypes: ['application/pdf'],
        maxBytes: MAX_PDF_BYTES,
      });
      const inserted = (await manager.query(
        `INSERT INTO generated_document (case_id, kind, locale, file_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (case_id, kind, locale) DO NOTHING RETURNING id`,
        [caseId, CERTIFICATE_DOCUMENT_KIND, record.locale, file.id],
      )) as { id: string }[];
      if (inserted.length === 0) {
        await manager.delete(FileRecord, { id: file.id });
        return { documentId: null, orphanKey: file.storageKey };
      }
      return { documentId: inserted[0]!.id, orphanKey: null };
    });
    if (stored.documentId) return { outcome: 'rendered', documentId: stored.documentId };
    await this.storage.delete(stored.orphanKey!).catch((error: unknown) => {
      this.logger.warn(`case ${caseId}: could not delete the duplicate certificate file: ${(error as Error).message}`);
    });
    return { outcome: 'already-rendered' };
  }
}
