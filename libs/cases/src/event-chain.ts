import { createHash } from 'node:crypto';
import { canonicalJson } from '@app/platform';
import type { EntityManager } from 'typeorm';
import type { CaseEvent } from './entities/case-event.entity.js';

export type HashedFields = Pick<
  CaseEvent,
  'caseId' | 'seq' | 'type' | 'fromStatus' | 'toStatus' | 'actorType' | 'actorId' | 'visibility' | 'payload' | 'createdAt'
>;

/** The chain starts from a value tied to the case, so events cannot be moved between cases. */
export function genesisHash(caseId: string): string {
  return createHash('sha256').update(`case:${caseId}`).digest('hex');
}

export function eventHash(prevHash: string, event: HashedFields): string {
  const body = canonicalJson({
    caseId: event.caseId,
    seq: event.seq,
    type: event.type,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    actorType: event.actorType,
    actorId: event.actorId,
    visibility: event.visibility,
    payload: event.payload,
    createdAt: event.createdAt.toISOString(),
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

export type ChainVerdict = { ok: true; events: number } | { ok: false; seq: number; reason: string };

/**
 * Walks one case's events in order and checks each link, then checks that the last event is the
 * one the case row remembers, so a deleted tail is caught as well as an edit, a gap or a swap.
 */
export async function verifyCaseChain(manager: EntityManager, caseId: string): Promise<ChainVerdict> {
  const head = (await manager.query(`SELECT event_count, last_event_hash FROM "case" WHERE id = $1`, [caseId])) as {
    event_count: number;
    last_event_hash: string | null;
  }[];
  if (head.length === 0) return { ok: false, seq: 0, reason: 'case not found' };
  const rows = (await manager.query(
    `SELECT case_id, seq, type, from_status, to_status, actor_type, actor_id, visibility, payload, prev_hash, hash, created_at
       FROM case_event WHERE case_id = $1 ORDER BY seq, id`,
    [caseId],
  )) as Record<string, unknown>[];
  let prev = genesisHash(caseId);
  let expectedSeq = 1;
  for (const row of rows) {
    const seq = row.seq as number;
    if (seq !== expectedSeq) return { ok: false, seq: expectedSeq, reason: `event ${expectedSeq} is missing or out of order` };
    if (row.prev_hash !== prev) return { ok: false, seq, reason: `event ${seq} does not link to event ${seq - 1}` };
    const recomputed = eventHash(prev, {
      caseId: row.case_id as string,
      seq,
      type: row.type as string,
      fromStatus: row.from_status as string | null,
      toStatus: row.to_status as string | null,
      actorType: row.actor_type as CaseEvent['actorType'],
      actorId: row.actor_id as string | null,
      visibility: row.visibility as CaseEvent['visibility'],
      payload: row.payload as Record<string, unknown>,
      createdAt: row.created_at as Date,
    });
    if (recomputed !== row.hash) return { ok: false, seq, reason: `event ${seq} was changed after it was written` };
    prev = recomputed;
    expectedSeq++;
  }
  const { event_count: count, last_event_hash: lastHash } = head[0]!;
  if (rows.length !== count || (count > 0 && lastHash !== prev)) {
    return { ok: false, seq: rows.length + 1, reason: `the case records ${count} events but ${rows.length} remain` };
  }
  return { ok: true, events: rows.length };
}
