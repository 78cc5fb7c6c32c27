import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@app/platform';
import type { AuditActorType, AuditOutcome } from './audit-record.entity.js';
import { auditRowHash, type HashedAuditRow } from './audit-chain.js';

/** Who did it. Officers are named by id and username; applicants and anonymous visitors by nothing personal. */
export type AuditActor =
  | { type: 'officer'; id: string; username: string }
  | { type: 'applicant'; id?: string | null }
  | { type: 'system'; id?: string | null }
  | { type: 'anonymous' };

export interface AuditEntry {
  /** Dotted, lower case, past tense: `officer.signed_in`, `case.decided`, `case.personal_data_viewed`. */
  action: string;
  actor: AuditActor;
  outcome?: AuditOutcome;
  target?: { type: string; id: string } | null;
  /** The post the event concerns, so supervisors can filter by post. */
  postCode?: string | null;
  ip?: string | null;
  /** Ids, codes and reasons only: never personal data, passwords, secrets or tokens. */
  details?: Record<string, unknown>;
}

export interface AppendedAuditRow {
  seq: number;
  hash: string;
}

/** Two-key advisory lock ("audi", 1): every append in the cluster takes it, so rows chain one after another. */
const AUDIT_LOCK = [0x61756469, 1] as const;

/**
 * The one writer of the audit log. Appends are serialised by a transaction-scoped advisory lock;
 * each row links to the previous one by hash, and the database refuses a row that does not
 * extend the chain and any UPDATE or DELETE.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly clock: Clock) {}

  /**
   * Appends an entry in the caller's transaction, so it commits or rolls back with the change it
   * describes (a case decision, an officer change). Given a manager outside a transaction (for
   * example `dataSource.manager`), it opens one of its own — use that for events that must be
   * kept even though the request fails, such as a refused sign-in.
   */
  async record(manager: EntityManager, entry: AuditEntry): Promise<AppendedAuditRow> {
    if (!manager.queryRunner?.isTransactionActive) return manager.transaction((tx) => this.append(tx, entry));
    return this.append(manager, entry);
  }

  private async append(manager: EntityManager, entry: AuditEntry): Promise<AppendedAuditRow> {
    await manager.query(`SELECT pg_advisory_xact_lock($1, $2)`, [...AUDIT_LOCK]);
    const [head] = (await manager.query(`SELECT last_seq, last_hash FROM audit_log_head`)) as { last_seq: string; last_hash: string }[];
    if (!head) throw new Error('audit_log_head is missing: run the migrations');
    const actor = entry.actor;
    const row: HashedAuditRow = {
      seq: Number(head.last_seq) + 1,
      occurredAt: this.clock.now(),
      actorType: actor.type as AuditActorType,
      actorId: 'id' in actor ? (actor.id ?? null) : null,
      actorName: actor.type === 'officer' ? actor.username : null,
      action: entry.action,
      outcome: entry.outcome ?? 'success',
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      postCode: entry.postCode ?? null,
      ip: entry.ip ?? null,
      // Round-tripped through JSON so that what is hashed is exactly what jsonb gives back.
      details: JSON.parse(JSON.stringify(entry.details ?? {})) as Record<string, unknown>,
    };
    const hash = auditRowHash(head.last_hash, row);
    await manager.query(
      `INSERT INTO audit_log (seq, occurred_at, actor_type, actor_id, actor_name, action, outcome, target_type, target_id,
                              post_code, ip, details, prev_hash, hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
      [
        row.seq,
        row.occurredAt,
        row.actorType,
        row.actorId,
        row.actorName,
        row.action,
        row.outcome,
        row.targetType,
        row.targetId,
        row.postCode,
        row.ip,
        JSON.stringify(row.details),
        head.last_hash,
        hash,
      ],
    );
    return { seq: row.seq, hash };
  }
}
