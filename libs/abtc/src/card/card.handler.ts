import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CaseSpine, GeneratedDocumentStore, OnJob, type PayloadOf } from '@app/cases';
import { Messages } from '@app/platform';
import { AbtcService } from '../abtc.service.js';
import { renderCardPdf } from './card-pdf.js';
import { ABTC_JOBS } from '../abtc.jobs.js';

export const CARD_DOCUMENT_KIND = 'abtc-card';
const CARD_FILE_KIND = 'abtc-card-pdf';

/**
 * Renders the card of an issued application into a generated_document (unique per case, kind and
 * locale), which the status page then offers. Delivery is at least once: an existing document ends
 * the job, and of two racing runs the one that loses the insert deletes its file.
 */
@Injectable()
export class CardHandler {
  private readonly logger = new Logger(CardHandler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly applications: AbtcService,
    private readonly documents: GeneratedDocumentStore,
    private readonly messages: Messages,
  ) {}

  @OnJob(ABTC_JOBS.RenderCard)
  async handle(payload: PayloadOf<typeof ABTC_JOBS.RenderCard>): Promise<{ outcome: string; documentId?: string }> {
    const { caseId } = payload;
    const record = await this.spine.load(this.dataSource.manager, caseId);
    const [existing] = (await this.dataSource.query(`SELECT id FROM generated_document WHERE case_id = $1 AND kind = $2 AND locale = $3`, [
      caseId,
      CARD_DOCUMENT_KIND,
      record.locale,
    ])) as { id: string }[];
    if (existing) return { outcome: 'already-rendered', documentId: existing.id };
    const view = await this.applications.view(caseId);
    if (!view?.cardNumber || !view.validFrom || !view.validUntil || !view.passportNumber) {
      // Not issued, or its personal data already erased: there is no card to render.
      this.logger.warn(`case ${caseId} has no card to render`);
      return { outcome: 'skipped' };
    }
    const pdf = await renderCardPdf(
      {
        cardNumber: view.cardNumber,
        validFrom: view.validFrom,
        validUntil: view.validUntil,
        holderName: `${view.givenNames ?? ''} ${view.surname ?? ''}`.trim(),
        dateOfBirth: view.dateOfBirth ?? '',
        sex: view.sex,
        nationality: view.nationality,
        passportNumber: view.passportNumber,
        locale: record.locale,
        economies: view.clearances.filter((c) => c.status === 'APPROVED').map((c) => c.economy),
      },
      this.messages,
    );
    const documentId = await this.documents.storeOnce({
      caseId,
      kind: CARD_DOCUMENT_KIND,
      locale: record.locale,
      fileKind: CARD_FILE_KIND,
      bytes: pdf,
    });
    if (documentId) return { outcome: 'rendered', documentId };
    return { outcome: 'already-rendered' };
  }
}
