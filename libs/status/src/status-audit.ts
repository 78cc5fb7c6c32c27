import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { LookupChannel, LookupOutcome } from './entities/status-lookup.entity.js';

/**
 * Every look-up of a case by a citizen, in the status_lookup table. (The audit library, built
 * elsewhere, can read it or replace this writer.)
 */
@Injectable()
export class StatusAudit {
  constructor(private readonly dataSource: DataSource) {}

  async record(entry: {
    channel: LookupChannel;
    outcome: LookupOutcome;
    ipHash: string;
    referenceHash?: string | null;
    caseId?: string | null;
  }) {
    await this.dataSource.query(
      `INSERT INTO status_lookup (reference_hash, ip_hash, channel, outcome, case_id) VALUES ($1, $2, $3, $4, $5)`,
      [entry.referenceHash ?? null, entry.ipHash, entry.channel, entry.outcome, entry.caseId ?? null],
    );
  }
}
