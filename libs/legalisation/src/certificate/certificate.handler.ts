import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CaseSpine, GeneratedDocumentStore, OnJob, type PayloadOf } from '@app/cases';
import { APP_CONFIG, type AppConfig, Messages } from '@app/platform';
import { LegalisationService } from '../legalisation.service.js';
import { renderCertificatePdf } from './certificate-pdf.js';
import { LEGALISATION_JOBS } from '../legalisation.jobs.js';

export const CERTIFICATE_DOCUMENT_KIND = 'authentication-certificate';
const CERTIFICATE_FILE_KIND = 'authentication-certificate-pdf';

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
    private readonly documents: GeneratedDocumentStore,
    private readonly messages: Messages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnJob(LEGALISATION_JOBS.RenderCertificate)
  async handle(payload: PayloadOf<typeof LEGALISATION_JOBS.RenderCertificate>): Promise<{ outcome: string; documentId?: string }> {
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
    const documentId = await this.documents.storeOnce({
      caseId,
      kind: CERTIFICATE_DOCUMENT_KIND,
      locale: record.locale,
      fileKind: CERTIFICATE_FILE_KIND,
      bytes: pdf,
    });
    if (documentId) return { outcome: 'rendered', documentId };
    return { outcome: 'already-rendered' };
  }
}
