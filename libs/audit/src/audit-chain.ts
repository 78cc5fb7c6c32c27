import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { canonicalJson } from '@app/platform';
import type { AuditActorType, AuditOutcome } from './audit-record.entity.js';

/** What the hash covers: every column but the hash itself. */
export interface HashedAuditRow {
  seq: number;
  occurredAt: Date;
  actorType: AuditActorType;
  actorId: string | null;
  actorName: string | null;
  action: string;
  outcome: AuditOutcome;
  targetType: string | null;
  targetId: string | null;
  postCode: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

/** The chain starts here; the migration seeds audit_log_head with the same value. */
export const AUDIT_GENESIS_HASH = createHash('sha256').update('audit_log:genesis').digest('hex');

/** hash = sha256(prev_hash ‖ canonical JSON of the row). */
export function auditRowHash(prevHash: string, row: HashedAuditRow): string {
  const body = canonicalJson({
    seq: row.seq,
    occurredAt: row.occurredAt.toISOString(),
    actorType: row.actorType,
    actorId: row.actorId,
    actorName: row.actorName,
    action: row.action,
    outcome: row.outcome,
    targetType: row.targetType,
    targetId: row.targetId,
    postCode: row.postCode,
    ip: row.ip,
    details: row.details,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

export type AuditVerdict = { ok: true; rows: number; lastHash: string } | { ok: false; seq: number; reason: string };

interface StoredRow {
  seq: string;
  occurred_at: Date;
  actor_type: AuditActorType;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  outcome: AuditOutcome;
  target_type: string | null;
  target_id: string | null;
  post_code: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/**
 * Walks the whole log in order and names the first row that breaks the chain: a missing row
 * (sequence gap), a row that does not link to its predecessor (reordered or replaced) or a row
 * whose content no longer matches its hash (edited). Finally compares the last row with the head
 * the database advanced on every append, which catches rows deleted from the end.
 */
export async function verifyAuditChain(manager: EntityManager, batchSize = 1000): Promise<AuditVerdict> {
  let expectedSeq = 1;
  let prevHash = AUDIT_GENESIS_HASH;
  for (;;) {
    const rows = (await manager.query(
      `SELECT seq, occurred_at, actor_type, actor_id, actor_name, action, outcome, target_type, target_id, post_code, ip,
              details, prev_hash, hash
         FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2`,
      [expectedSeq, batchSize],
    )) as StoredRow[];
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return { ok: false, seq: expectedSeq, reason: `row ${expectedSeq} is missing` };
      if (row.prev_hash !== prevHash) return { ok: false, seq, reason: `row ${seq} does not link to row ${seq - 1}` };
      const recomputed = auditRowHash(prevHash, {
        seq,
        occurredAt: row.occurred_at,
        actorType: row.actor_type,
        actorId: row.actor_id,
        actorName: row.actor_name,
        action: row.action,
        outcome: row.outcome,
        targetType: row.target_type,
        targetId: row.target_id,
        postCode: row.post_code,
        ip: row.ip,
        details: row.details,
      });
      if (recomputed !== row.hash) return { ok: false, seq, reason: `row ${seq} was changed after it was written` };
      prevHash = row.hash;
      expectedSeq++;
    }
    if (rows.length < batchSize) break;
  }
  const rows = expectedSeq - 1;
  const [head] = (await manager.query(`SELECT last_seq, last_hash FROM audit_log_head`)) as { last_seq: string; last_hash: string }[];
  if (!head) return { ok: false, seq: expectedSeq, reason: 'the head of the log is missing' };
  if (Number(head.last_seq) !== rows) {
    return { ok: false, seq: expectedSeq, reason: `the log ends at row ${rows} but ${head.last_seq} rows were appended` };
  }
  if (head.last_hash !== prevHash) {
    return { ok: false, seq: rows, reason: `row ${rows} is not the row that was appended last` };
  }
  return { ok: true, rows, lastHash: prevHash };
}
