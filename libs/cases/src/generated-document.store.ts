import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { FileRecord, FileService, StoragePort } from '@app/platform';

/** The largest PDF a renderer may store. */
const MAX_PDF_BYTES = 5 * 1_048_576;

export interface RenderedPdf {
  caseId: string;
  /** generated_document.kind: one document per case, kind and locale. */
  kind: string;
  locale: string;
  /** file.kind of the stored bytes. */
  fileKind: string;
  bytes: Buffer;
}

/**
 * Stores a rendered PDF as the one generated_document of its case, kind and locale. Render jobs are
 * delivered at least once, so two runs may render the same document: the insert of the second waits
 * for the first's row and finds the conflict, and that run deletes its own file row and bytes.
 */
@Injectable()
export class GeneratedDocumentStore {
  private readonly logger = new Logger(GeneratedDocumentStore.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly files: FileService,
    private readonly storage: StoragePort,
  ) {}

  /**
   * Returns the new document's id, or null when another run stored it first. `whenStored` runs in
   * the same transaction as the insert, only when this run's document is the one kept (an eVisa
   * becomes ISSUED with its document, or not at all).
   */
  async storeOnce(pdf: RenderedPdf, whenStored?: (manager: EntityManager, documentId: string) => Promise<void>): Promise<string | null> {
    const stored = await this.dataSource.transaction(async (manager) => {
      const file = await this.files.store(manager, {
        bytes: pdf.bytes,
        kind: pdf.fileKind,
        caseId: pdf.caseId,
        allowedTypes: ['application/pdf'],
        maxBytes: MAX_PDF_BYTES,
      });
      const inserted = (await manager.query(
        `INSERT INTO generated_document (case_id, kind, locale, file_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (case_id, kind, locale) DO NOTHING RETURNING id`,
        [pdf.caseId, pdf.kind, pdf.locale, file.id],
      )) as { id: string }[];
      if (inserted.length === 0) {
        await manager.delete(FileRecord, { id: file.id });
        return { documentId: null, duplicateKey: file.storageKey };
      }
      await whenStored?.(manager, inserted[0]!.id);
      return { documentId: inserted[0]!.id, duplicateKey: null };
    });
    if (stored.duplicateKey) {
      await this.storage.delete(stored.duplicateKey).catch((error: unknown) => {
        // The hourly orphan sweep deletes it later.
        this.logger.warn(`case ${pdf.caseId}: could not delete a duplicate ${pdf.kind} file: ${(error as Error).message}`);
      });
    }
    return stored.documentId;
  }
}
