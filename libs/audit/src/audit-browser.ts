import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRecord, type AuditOutcome } from './audit-record.entity.js';

export interface AuditFilter {
  /** A whole action or a prefix ending in a dot: `officer.` matches every officer event. */
  action?: string;
  actorName?: string;
  targetId?: string;
  postCode?: string;
  outcome?: AuditOutcome;
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

export interface AuditPage {
  rows: AuditRecord[];
  /** Pass as `before` to get the next (older) page; null on the last page. */
  nextBefore: number | null;
}

/** Reads the log newest first, with filters and keyset pagination on `seq`. */
@Injectable()
export class AuditBrowser {
  constructor(private readonly dataSource: DataSource) {}

  async page(filter: AuditFilter, before: number | null, pageSize = 50): Promise<AuditPage> {
    const query = this.dataSource.getRepository(AuditRecord).createQueryBuilder('a');
    if (before !== null) query.andWhere('a.seq < :before', { before });
    if (filter.action) {
      if (filter.action.endsWith('.')) query.andWhere("a.action LIKE :prefix ESCAPE '\\'", { prefix: `${escapeLike(filter.action)}%` });
      else query.andWhere('a.action = :action', { action: filter.action });
    }
    if (filter.actorName) query.andWhere('a.actorName = :actorName', { actorName: filter.actorName });
    if (filter.targetId) query.andWhere('a.targetId = :targetId', { targetId: filter.targetId });
    if (filter.postCode) query.andWhere('a.postCode = :postCode', { postCode: filter.postCode });
    if (filter.outcome) query.andWhere('a.outcome = :outcome', { outcome: filter.outcome });
    if (filter.from) query.andWhere('a.occurredAt >= :from', { from: filter.from });
    if (filter.to) query.andWhere('a.occurredAt < :to', { to: filter.to });
    const rows = await query
      .orderBy('a.seq', 'DESC')
      .limit(pageSize + 1)
      .getMany();
    const more = rows.length > pageSize;
    const shown = more ? rows.slice(0, pageSize) : rows;
    return { rows: shown, nextBefore: more ? shown[shown.length - 1]!.seq : null };
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
