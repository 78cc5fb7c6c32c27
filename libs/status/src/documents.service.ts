import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainException, FileRecord, FileService } from '@app/platform';
import { CaseAccess } from './case-access.js';
import { StatusErrors } from './errors.js';

export interface DocumentDownload {
  bytes: Buffer;
  mimeType: string;
  filename: string;
}

const EXTENSIONS: Record<string, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' };

/** Serves a generated document's bytes through the signed link shown on the status page. */
@Injectable()
export class DocumentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: CaseAccess,
    private readonly files: FileService,
  ) {}

  async download(token: unknown): Promise<DocumentDownload> {
    const documentId = this.access.documentIdFrom(token);
    const [row] = (await this.dataSource.query(
      `SELECT g.kind, g.locale, c.reference, f.id AS "fileId" FROM generated_document g
         JOIN file f ON f.id = g.file_id JOIN "case" c ON c.id = g.case_id WHERE g.id = $1`,
      [documentId],
    )) as { kind: string; locale: string; reference: string; fileId: string }[];
    const file = row ? await this.dataSource.manager.findOneBy(FileRecord, { id: row.fileId }) : null;
    if (!row || !file) throw new DomainException(StatusErrors.DOCUMENT_NOT_FOUND, 'This document is no longer available.');
    return {
      bytes: await this.files.read(file),
      mimeType: file.mimeType,
      filename: `${row.reference}-${row.kind}-${row.locale}.${EXTENSIONS[file.mimeType] ?? 'bin'}`,
    };
  }
}
