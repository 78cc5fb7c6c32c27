import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainException, registerErrorCodes } from '../errors/domain-exception.js';
import { FileRecord } from './file.entity.js';
import { type SniffedType, sniffMimeType } from './sniff.js';
import { StoragePort } from './storage.port.js';

export const FileErrors = registerErrorCodes({ FILE_TYPE_NOT_ALLOWED: 422, FILE_TOO_LARGE: 413, FILE_NOT_FOUND: 404 });

export interface StoreFileInput {
  bytes: Buffer;
  kind: string;
  caseId?: string | null;
  allowedTypes: readonly SniffedType[];
  maxBytes: number;
}

@Injectable()
export class FileService {
  constructor(private readonly storage: StoragePort) {}

  /**
   * Checks the bytes, writes them under a random key, then records the file in the caller's
   * transaction. The bytes go first: a rolled-back transaction leaves an unreferenced blob
   * (swept later), never a row that points at nothing.
   */
  async store(manager: EntityManager, input: StoreFileInput): Promise<FileRecord> {
    if (input.bytes.length > input.maxBytes) {
      throw new DomainException(FileErrors.FILE_TOO_LARGE, `The file is larger than ${Math.floor(input.maxBytes / 1_048_576)} MB.`);
    }
    const mimeType = sniffMimeType(input.bytes);
    if (!mimeType || !input.allowedTypes.includes(mimeType)) {
      throw new DomainException(FileErrors.FILE_TYPE_NOT_ALLOWED, `The file must be one of: ${input.allowedTypes.join(', ')}.`);
    }
    const id = randomUUID();
    const storageKey = randomUUID();
    await this.storage.put(storageKey, input.bytes);
    const record = manager.create(FileRecord, {
      id,
      storageKey,
      kind: input.kind,
      mimeType,
      sizeBytes: input.bytes.length,
      sha256: createHash('sha256').update(input.bytes).digest('hex'),
      caseId: input.caseId ?? null,
    });
    await manager.insert(FileRecord, record);
    return record;
  }

  async read(record: FileRecord): Promise<Buffer> {
    return this.storage.get(record.storageKey);
  }

  /**
   * Deletes file rows in the caller's transaction — the listed ids, or every file of a case — and
   * returns their storage keys, for `deleteStored`. Rows that reference them must be gone first.
   */
  async deleteRecords(manager: EntityManager, which: { ids: readonly string[] } | { caseId: string }): Promise<string[]> {
    if ('ids' in which && which.ids.length === 0) return [];
    const [rows] = (await manager.query(
      'ids' in which
        ? `DELETE FROM file WHERE id = ANY($1) RETURNING storage_key`
        : `DELETE FROM file WHERE case_id = $1 RETURNING storage_key`,
      ['ids' in which ? which.ids : which.caseId],
    )) as [{ storage_key: string }[], number];
    return rows.map((row) => row.storage_key);
  }

  /**
   * Deletes stored bytes, trying every key even when one fails (then it throws, naming how many
   * failed). Bytes already gone are not an error, so a retry is safe.
   */
  async deleteStored(storageKeys: readonly string[]): Promise<void> {
    const failures: unknown[] = [];
    for (const key of storageKeys) await this.storage.delete(key).catch((error: unknown) => failures.push(error));
    if (failures.length)
      throw new Error(`${failures.length} of ${storageKeys.length} stored files could not be deleted`, { cause: failures[0] });
  }
}
