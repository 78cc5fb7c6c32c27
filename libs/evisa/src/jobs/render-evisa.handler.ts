import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, FileRecord, FileService } from '@app/platform';
import { CaseSpine, GeneratedDocument, GeneratedDocumentStore, OnJob, type PayloadOf } from '@app/cases';
import { type EvisaDocumentData as PrintedEvisa, EvisaPdfRenderer, SealService } from '@app/documents';
import { ApplicationCipher } from '../application-cipher.js';
import { todayIn } from '../dates.js';
import { EvisaApplication } from '../entities/evisa-application.entity.js';
import { printedEvisa } from '../issuance/printed-evisa.js';
import { EvisaOfficerActions } from '../officer-actions.service.js';
import { EVISA_SETTINGS, type EvisaSettings } from '../settings.js';
import { EVISA_JOBS } from '../evisa.jobs.js';

export const EVISA_DOCUMENT_KIND = 'evisa';
export const EVISA_PDF_FILE_KIND = 'evisa-pdf';

export type RenderOutcome =
  | { outcome: 'rendered'; documentId: string }
  | { outcome: 'already-rendered'; documentId: string }
  | { outcome: 'skipped'; status: string };

/**
 * Renders an approved eVisa and issues it (APPROVED → ISSUED). Delivery is at least once, so
 * every step can run again:
 * - a generated_document for (case, 'evisa', locale) means the work is done: only make sure the
 *   case is ISSUED, and stop;
 * - the seal is made once and stored before rendering; a retry after a crash reuses it, so the
 *   PDF (a pure function of data and seal) comes out byte for byte the same;
 * - the document row and the ISSUED transition commit together; two runs racing both render,
 *   the unique (case_id, kind, locale) lets one insert, and the other deletes the file it stored.
 */
@Injectable()
export class RenderEvisaHandler {
  private readonly logger = new Logger(RenderEvisaHandler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly officerActions: EvisaOfficerActions,
    private readonly appCipher: ApplicationCipher,
    private readonly files: FileService,
    private readonly documents: GeneratedDocumentStore,
    private readonly seals: SealService,
    private readonly renderer: EvisaPdfRenderer,
    @Inject(EVISA_SETTINGS) private readonly settings: EvisaSettings,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnJob(EVISA_JOBS.RenderEvisa)
  async handle(payload: PayloadOf<typeof EVISA_JOBS.RenderEvisa>): Promise<RenderOutcome> {
    const { caseId } = payload;
    const record = await this.spine.load(this.dataSource.manager, caseId);
    const existing = await this.dataSource.manager.findOneBy(GeneratedDocument, {
      caseId,
      kind: EVISA_DOCUMENT_KIND,
      locale: record.locale,
    });
    if (existing) {
      await this.ensureIssued(caseId);
      return { outcome: 'already-rendered', documentId: existing.id };
    }
    if (record.status !== 'APPROVED') {
      this.logger.warn(`case ${caseId} is ${record.status} with no eVisa document: nothing to render`);
      return { outcome: 'skipped', status: record.status };
    }

    const data = await this.printableEvisa(caseId);
    const seal = await this.sealFor(caseId, data);
    const pdf = await this.renderer.render(data, seal);

    const documentId = await this.documents.storeOnce(
      { caseId, kind: EVISA_DOCUMENT_KIND, locale: record.locale, fileKind: EVISA_PDF_FILE_KIND, bytes: pdf },
      async (manager) => {
        const current = await this.spine.load(manager, caseId);
        if (current.status === 'APPROVED') await this.officerActions.markIssued(manager, caseId, current.version);
      },
    );
    if (documentId) return { outcome: 'rendered', documentId };
    await this.ensureIssued(caseId);
    const winner = await this.dataSource.manager.findOneByOrFail(GeneratedDocument, {
      caseId,
      kind: EVISA_DOCUMENT_KIND,
      locale: record.locale,
    });
    return { outcome: 'already-rendered', documentId: winner.id };
  }

  /** Everything the PDF prints: the decrypted application, the photo, the issuing post's names. */
  async printableEvisa(caseId: string): Promise<PrintedEvisa> {
    const manager = this.dataSource.manager;
    const source = await this.officerActions.documentDataFor(caseId, manager);
    const [post] = (await manager.query(`SELECT code, name_en, name_zh FROM post WHERE code = $1`, [source.postCode])) as {
      code: string;
      name_en: string;
      name_zh: string;
    }[];
    if (!post) throw new Error(`case ${caseId}: post ${source.postCode} is not in the post table`);
    const photoFile = source.photoFileId ? await manager.findOneBy(FileRecord, { id: source.photoFileId }) : null;
    return printedEvisa(source, {
      photo: photoFile ? await this.files.read(photoFile) : undefined,
      post: { code: post.code, nameEn: post.name_en, nameZh: post.name_zh },
      verificationUrl: `${this.config.publicBaseUrl}/verify`,
      issueDate: todayIn(this.settings.timeZone, source.approvedAt),
    });
  }

  /**
   * The case's seal: the one stored by an earlier attempt, or a new one, stored before it is used.
   * The row lock makes concurrent runs share one seal.
   */
  async sealFor(caseId: string, data: PrintedEvisa): Promise<Buffer> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(`SELECT seal FROM evisa_application WHERE case_id = $1 FOR UPDATE`, [caseId])) as {
        seal: string | null;
      }[];
      if (!row) throw new Error(`case ${caseId} has no eVisa application`);
      if (row.seal) return Buffer.from(this.appCipher.open(caseId, 'seal', row.seal)!, 'base64');
      const seal = this.seals.createSeal(data);
      await manager.update(
        EvisaApplication,
        { caseId },
        { seal: this.appCipher.seal(caseId, 'seal', seal.toString('base64')), updatedAt: new Date() },
      );
      return seal;
    });
  }

  /** APPROVED → ISSUED if the document exists but the transition did not happen (it normally commits with it). */
  private async ensureIssued(caseId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [locked] = (await manager.query(`SELECT status, version FROM "case" WHERE id = $1 FOR UPDATE`, [caseId])) as {
        status: string;
        version: number;
      }[];
      if (locked?.status === 'APPROVED') await this.officerActions.markIssued(manager, caseId, locked.version);
    });
  }
}
