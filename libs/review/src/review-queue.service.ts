import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseSpine, caseFromRow, ServiceCatalogue, type ServiceId } from '@app/cases';
import { type AuthenticatedOfficer, Clock, DomainException, postScopeOf, type PostScope, ValidationException } from '@app/platform';
import { AuditLog, officerActor } from '@app/audit';
import { findCaseInScope, OfficerService } from '@app/identity';
import { ReviewErrors } from './errors.js';

export const LEASE_MINUTES = 15;
const LEASE_MS = LEASE_MINUTES * 60_000;
const MAX_PAGE = 100;
/** Status counts on the queue page stop at this many. */
export const COUNT_CAP = 1000;

export interface QueueFilter {
  service?: ServiceId;
  status?: string;
  priority?: number;
  overdue?: boolean;
  assigned?: 'me' | 'unassigned';
  /** Supervisors and HQ may narrow to one post; others are always held to their own. */
  postCode?: string;
  after?: string;
  limit?: number;
}

export interface QueueItem {
  id: string;
  reference: string;
  service: ServiceId;
  status: string;
  postCode: string;
  priority: number;
  slaDueAt: Date | null;
  overdue: boolean;
  assignedOfficerId: string | null;
  claimExpiresAt: Date | null;
  claimActive: boolean;
  submittedAt: Date | null;
  version: number;
}

export interface QueuePage {
  items: QueueItem[];
  nextCursor: string | null;
  /** Waiting cases per status; a status with `countCap` has at least that many. */
  countsByStatus: Record<string, number>;
  countCap: number;
}

export interface PostHealth {
  postCode: string;
  service: ServiceId;
  waiting: number;
  oldestWaitingSeconds: number;
  slaBreaches: number;
}

interface Cursor {
  p: number;
  d: string;
  i: string;
}

const SLA_KEY = `COALESCE(c.sla_due_at, 'infinity'::timestamptz)`;

/**
 * The review queue. Every query is scoped to the officer's post here, in the query layer, unless
 * the officer sees all posts; a case outside the scope is simply not found.
 */
@Injectable()
export class ReviewQueueService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly officers: OfficerService,
    private readonly catalogue: ServiceCatalogue,
  ) {}

  async list(officer: AuthenticatedOfficer, filter: QueueFilter): Promise<QueuePage> {
    const now = this.clock.now();
    const queueStatuses = this.catalogue.queueStatuses();
    this.assertFilterKnown(filter, queueStatuses);
    const where: string[] = [`c.status = ANY($1)`];
    const params: unknown[] = [filter.status ? [filter.status] : queueStatuses];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    this.scope(officer, filter.postCode, add);
    if (filter.service) add('c.service = ?', filter.service);
    if (filter.priority) add('c.priority = ?', filter.priority);
    if (filter.overdue) add('c.sla_due_at < ?', now);
    if (filter.assigned === 'me') add('c.assigned_officer_id = ?', officer.id);
    if (filter.assigned === 'unassigned') add('(c.assigned_officer_id IS NULL OR c.claim_expires_at <= ?)', now);
    const countWhere = [...where];
    const countParams = [...params];
    const cursor = decodeCursor(filter.after);
    if (cursor) {
      params.push(cursor.p, cursor.d, cursor.i);
      const n = params.length;
      where.push(`(c.priority, ${SLA_KEY}, c.id) > ($${n - 2}, $${n - 1}::timestamptz, $${n}::uuid)`);
    }
    const limit = Math.min(Math.max(filter.limit ?? 25, 1), MAX_PAGE);
    const rows = (await this.dataSource.query(
      `SELECT c.id, c.reference, c.service, c.status, c.post_code, c.priority, c.sla_due_at, c.assigned_officer_id,
              c.claim_expires_at, c.submitted_at, c.version, ${SLA_KEY} AS sla_key
         FROM "case" c
        WHERE ${where.join(' AND ')}
        ORDER BY c.priority, ${SLA_KEY}, c.id
        LIMIT ${limit + 1}`,
      params,
    )) as Record<string, unknown>[];
    // Counted per status, up to COUNT_CAP each: a full count reads every waiting case, so with a million
    // it took far longer than the page itself. One bounded index scan a status, with the status bound
    // as a value so the planner picks the (post, status) index.
    const countQueryParams: unknown[] = [queueStatuses, ...countParams.slice(1)];
    const scopeWhere = countWhere.filter((w) => !w.startsWith('c.status')).join(' AND ') || 'true';
    const counts = (await this.dataSource.query(
      queueStatuses
        .map((status) => {
          countQueryParams.push(status);
          const n = countQueryParams.length;
          return `SELECT $${n}::text AS status, (SELECT count(*) FROM (SELECT 1 FROM "case" c
                  WHERE c.status = $${n} AND c.status = ANY($1) AND ${scopeWhere} LIMIT ${COUNT_CAP}) capped)::int AS n`;
        })
        .join(' UNION ALL '),
      countQueryParams,
    )) as { status: string; n: number }[];
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => toItem(row, now)),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({
              p: last.priority as number,
              d: last.sla_key instanceof Date ? last.sla_key.toISOString() : 'infinity',
              i: last.id as string,
            })
          : null,
      countsByStatus: Object.fromEntries(counts.filter((c) => c.n > 0).map((c) => [c.status, c.n])),
      countCap: COUNT_CAP,
    };
  }

  /**
   * Claim next: one statement picks the most urgent unclaimed case in scope, skipping rows other
   * claimers hold locked, and leases it for 15 minutes. If the claim starts the review (SUBMITTED
   * → IN_REVIEW), that transition is written in the same transaction.
   *
   * Free cases and cases whose lease has run out are looked up apart, each through its own partial
   * index (migration ClaimableIndexes), and the more urgent of the two is taken; the other candidate
   * stays locked only until this short transaction ends. The UPDATE checks again that the case is
   * free, so a case can never be claimed twice. The lock is FOR NO KEY UPDATE, the one the UPDATE
   * takes anyway: claimers exclude each other, but a transaction that inserts a row pointing at
   * the case (the worker's notification, just after submission) holds FOR KEY SHARE, which FOR
   * UPDATE would have skipped, so the officer would have found the queue empty.
   */
  async claimNext(officer: AuthenticatedOfficer): Promise<QueueItem | null> {
    const now = this.clock.now();
    const scope = postScopeOf(officer);
    const params: unknown[] = [officer.id, now, this.catalogue.queueStatuses()];
    if (!scope.allPosts) params.push(scope.postCode);
    const inScope = `q.status = ANY($3)${scope.allPosts ? '' : ' AND q.post_code = $4'}`;
    const queueOrder = `q.priority, COALESCE(q.sla_due_at, 'infinity'::timestamptz), q.id`;
    return this.dataSource.transaction(async (manager) => {
      const candidate = `SELECT q.id, q.priority, COALESCE(q.sla_due_at, 'infinity'::timestamptz) AS due FROM "case" q`;
      const claimed = (await manager.query(
        `WITH free AS (${candidate} WHERE ${inScope} AND q.assigned_officer_id IS NULL
                        ORDER BY ${queueOrder} LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED),
              lapsed AS (${candidate} WHERE ${inScope} AND q.assigned_officer_id IS NOT NULL AND q.claim_expires_at <= $2
                          ORDER BY ${queueOrder} LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED)
         UPDATE "case" c
            SET assigned_officer_id = $1, claim_expires_at = $2::timestamptz + interval '${LEASE_MINUTES} minutes',
                version = c.version + 1, updated_at = $2
          WHERE (c.assigned_officer_id IS NULL OR c.claim_expires_at <= $2)
            AND c.id = (SELECT id FROM (SELECT * FROM free UNION ALL SELECT * FROM lapsed) candidates ORDER BY priority, due, id LIMIT 1)
          RETURNING c.*`,
        params,
      )) as [Record<string, unknown>[], number] | Record<string, unknown>[];
      const row = firstRow(claimed);
      if (!row) return null;
      const machine = this.catalogue.machine(row.service as string);
      if (machine.reviewStart && row.status === machine.reviewStart.from) {
        const { case: started } = await this.spine.transition(manager, {
          machine,
          caseId: row.id as string,
          expectedVersion: row.version as number,
          to: machine.reviewStart.to,
          actor: { type: 'officer', id: officer.id },
          type: 'review.started',
          visibility: 'applicant',
          current: caseFromRow(manager, row),
        });
        return toItem({ ...row, status: started.status, version: started.version }, now);
      }
      return toItem(row, now);
    });
  }

  /** Gives a claim back to the queue. */
  async release(officer: AuthenticatedOfficer, caseId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await findCaseInScope(manager, caseId, postScopeOf(officer));
      const released = (await manager.query(
        `UPDATE "case" SET assigned_officer_id = NULL, claim_expires_at = NULL, version = version + 1, updated_at = $3
          WHERE id = $1 AND assigned_officer_id = $2 RETURNING id`,
        [caseId, officer.id, this.clock.now()],
      )) as unknown;
      if (!firstRow(released as Record<string, unknown>[])) {
        throw new DomainException(ReviewErrors.CLAIM_NOT_HELD, 'You do not hold a claim on this case.');
      }
    });
  }

  /**
   * Supervisors assign, reassign, bulk-assign or (with `officerId` null) unassign cases. Each change
   * is audited, and an officer who loses a case gets an in-app alert.
   */
  async assign(supervisor: AuthenticatedOfficer, caseIds: string[], officerId: string | null): Promise<{ assigned: number }> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const cases = await this.findInScope(manager, supervisor, caseIds);
      if (officerId) {
        for (const postCode of new Set(cases.map((c) => c.post_code))) {
          if (!(await this.officers.findAssignable(manager, officerId, postCode))) {
            throw new DomainException(ReviewErrors.UNKNOWN_OFFICER, 'That officer cannot take cases of this post.');
          }
        }
      }
      for (const current of cases) {
        await manager.query(
          `UPDATE "case" SET assigned_officer_id = $2, claim_expires_at = $3, version = version + 1, updated_at = $4 WHERE id = $1`,
          [current.id, officerId, officerId ? new Date(now.getTime() + LEASE_MS) : null, now],
        );
        const previous = current.assigned_officer_id;
        if (previous && previous !== officerId) {
          await manager.query(`INSERT INTO officer_alert (officer_id, kind, case_id, params) VALUES ($1, 'case.reassigned', $2, $3)`, [
            previous,
            current.id,
            JSON.stringify({ reference: current.reference, by: supervisor.displayName }),
          ]);
        }
        await this.audit.record(manager, {
          action: officerId ? (previous ? 'case.reassigned' : 'case.assigned') : 'case.unassigned',
          actor: officerActor(supervisor),
          target: { type: 'case', id: current.id },
          postCode: current.post_code,
          details: { from: previous, to: officerId },
        });
      }
      return { assigned: cases.length };
    });
  }

  /** Per post and service: waiting cases, the oldest wait and SLA breaches. */
  async health(officer: AuthenticatedOfficer): Promise<PostHealth[]> {
    const now = this.clock.now();
    const scope = postScopeOf(officer);
    const rows = (await this.dataSource.query(
      `SELECT post_code, service, count(*)::int AS waiting,
              COALESCE(EXTRACT(EPOCH FROM $2::timestamptz - min(COALESCE(submitted_at, created_at))), 0)::float AS oldest,
              count(*) FILTER (WHERE sla_due_at < $2)::int AS breaches
         FROM "case"
        WHERE status = ANY($1) AND ($3::text IS NULL OR post_code = $3)
        GROUP BY post_code, service
        ORDER BY post_code, service`,
      [this.catalogue.queueStatuses(), now, scope.allPosts ? null : scope.postCode],
    )) as { post_code: string; service: ServiceId; waiting: number; oldest: number; breaches: number }[];
    return rows.map((r) => ({
      postCode: r.post_code,
      service: r.service,
      waiting: r.waiting,
      oldestWaitingSeconds: Math.max(0, Math.round(r.oldest)),
      slaBreaches: r.breaches,
    }));
  }

  /** Loads the cases, refusing (as not found) any outside the officer's scope. */
  async findInScope(
    manager: EntityManager,
    officer: AuthenticatedOfficer,
    caseIds: string[],
  ): Promise<{ id: string; reference: string; post_code: string; assigned_officer_id: string | null }[]> {
    const scope = postScopeOf(officer);
    const rows = (await manager.query(
      `SELECT id, reference, post_code, assigned_officer_id FROM "case"
        WHERE id = ANY($1::uuid[]) AND ($2::text IS NULL OR post_code = $2) ORDER BY id FOR UPDATE`,
      [caseIds, scope.allPosts ? null : scope.postCode],
    )) as { id: string; reference: string; post_code: string; assigned_officer_id: string | null }[];
    if (rows.length !== new Set(caseIds).size) {
      throw new DomainException('CASE_NOT_FOUND', 'No such case.');
    }
    return rows;
  }

  /** A filter naming a service or a status no service queues is a mistake to report, not an empty queue. */
  private assertFilterKnown(filter: QueueFilter, queueStatuses: readonly string[]): void {
    const problems = [];
    if (filter.service && !this.catalogue.has(filter.service)) {
      problems.push({ field: 'service', messages: [`Choose one of: ${this.catalogue.ids().join(', ')}.`] });
    }
    if (filter.status && !queueStatuses.includes(filter.status)) {
      problems.push({ field: 'status', messages: [`Choose one of: ${queueStatuses.join(', ')}.`] });
    }
    if (problems.length) throw new ValidationException(problems);
  }

  private scope(officer: AuthenticatedOfficer, requested: string | undefined, add: (clause: string, value: unknown) => void): void {
    const scope: PostScope = postScopeOf(officer);
    if (!scope.allPosts) add('c.post_code = ?', scope.postCode);
    else if (requested) add('c.post_code = ?', requested);
  }
}

function firstRow(result: unknown): Record<string, unknown> | undefined {
  // TypeORM returns [rows, affected] for UPDATE … RETURNING on PostgreSQL.
  if (Array.isArray(result) && Array.isArray(result[0])) return (result[0] as Record<string, unknown>[])[0];
  return (result as Record<string, unknown>[])[0];
}

function toItem(row: Record<string, unknown>, now: Date): QueueItem {
  const slaDueAt = (row.sla_due_at as Date | null) ?? null;
  const claimExpiresAt = (row.claim_expires_at as Date | null) ?? null;
  return {
    id: row.id as string,
    reference: row.reference as string,
    service: row.service as ServiceId,
    status: row.status as string,
    postCode: row.post_code as string,
    priority: row.priority as number,
    slaDueAt,
    overdue: slaDueAt !== null && slaDueAt < now,
    assignedOfficerId: (row.assigned_officer_id as string | null) ?? null,
    claimExpiresAt,
    claimActive: claimExpiresAt !== null && claimExpiresAt > now,
    submittedAt: (row.submitted_at as Date | null) ?? null,
    version: row.version as number,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(value: string | undefined): Cursor | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Cursor;
    // Exactly what encodeCursor writes: the values go into the keyset comparison as smallint, timestamptz and uuid.
    if (!Number.isInteger(parsed.p) || parsed.p < 1 || parsed.p > 4) throw new Error();
    if (typeof parsed.i !== 'string' || !UUID.test(parsed.i)) throw new Error();
    if (parsed.d !== 'infinity' && (typeof parsed.d !== 'string' || !ISO_INSTANT.test(parsed.d) || Number.isNaN(Date.parse(parsed.d)))) {
      throw new Error();
    }
    return parsed;
  } catch {
    throw new DomainException('VALIDATION_FAILED', 'The page cursor is not valid.', [
      { field: 'after', messages: ['Start again from the first page.'] },
    ]);
  }
}
