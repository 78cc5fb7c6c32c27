import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CORE_JOBS, OnJob } from '@app/cases';
import { Clock, StoragePort } from '@app/platform';

/**
 * Bytes are written before the row that names them commits (FileService.store), so only bytes
 * older than this can be orphans: no transaction stays open for an hour, so none is ever raced.
 */
export const ORPHAN_GRACE_MS = 3_600_000;
/** Keys checked against the database in one query. */
const CHECK_BATCH = 500;

/**
 * Every column that holds a storage key. Only `file.storage_key` does: every other table points at
 * stored bytes through a file row's id (generated_document.file_id, evisa_application.photo_file_id
 * and passport_page_file_id, evisa_information_request.answer_file_ids), and the foreign keys keep
 * that row while they do. test/recovery/orphan-files.test.ts holds this list to the schema.
 */
export const STORAGE_KEY_COLUMNS: readonly { table: string; column: string }[] = [{ table: 'file', column: 'storage_key' }];

export interface OrphanSweep {
  /** Objects stored before this moment were checked. */
  storedBefore: Date;
  checked: number;
  removed: number;
  /** Temporary files of writes that died halfway. */
  abandonedWrites: number;
}

/**
 * Runs hourly (a repeatable job): deletes stored bytes that no row references — left by a crash
 * between writing them and committing their row, or between deleting a row and its bytes. Young
 * objects are never touched; a key is looked up in the database just before it is deleted.
 */
@Injectable()
export class OrphanFileSweeper {
  private readonly logger = new Logger(OrphanFileSweeper.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly storage: StoragePort,
    private readonly clock: Clock,
  ) {}

  @OnJob(CORE_JOBS.SweepOrphanFiles)
  async sweepOrphanFiles(): Promise<OrphanSweep> {
    return this.sweep();
  }

  async sweep(): Promise<OrphanSweep> {
    const storedBefore = new Date(this.clock.now().getTime() - ORPHAN_GRACE_MS);
    let checked = 0;
    let removed = 0;
    let failed = 0;
    let batch: string[] = [];
    const settle = async () => {
      const referenced = await this.referenced(batch);
      for (const key of batch) {
        if (referenced.has(key)) continue;
        try {
          await this.storage.delete(key);
          removed++;
        } catch (error) {
          failed++;
          this.logger.warn(`could not delete an unreferenced stored file: ${(error as Error).message}`);
        }
      }
      checked += batch.length;
      batch = [];
    };
    for await (const object of this.storage.list()) {
      if (object.storedAt >= storedBefore) continue;
      batch.push(object.key);
      if (batch.length === CHECK_BATCH) await settle();
    }
    if (batch.length) await settle();
    const abandonedWrites = await this.storage.removeAbandonedWrites(storedBefore);
    if (removed || abandonedWrites || failed) {
      this.logger.log(
        `removed ${removed} unreferenced stored files and ${abandonedWrites} abandoned writes stored before ${storedBefore.toISOString()} (${checked} checked, ${failed} failed)`,
      );
    }
    // A failed run is retried, and Bull Board shows it; what was removed stays removed.
    if (failed) throw new Error(`${failed} unreferenced stored files could not be deleted`);
    return { storedBefore, checked, removed, abandonedWrites };
  }

  /** Which of these keys some row names. */
  private async referenced(keys: readonly string[]): Promise<Set<string>> {
    const lookups = STORAGE_KEY_COLUMNS.map(
      ({ table, column }) => `SELECT ${column} AS key FROM ${table} WHERE ${column} = ANY($1::text[])`,
    );
    const rows = (await this.dataSource.query(lookups.join(' UNION ALL '), [keys])) as { key: string }[];
    return new Set(rows.map((row) => row.key));
  }
}
