import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CaseSpine, ServiceCatalogue } from '@app/cases';
import {
  BlindIndex,
  DomainException,
  type FieldError,
  type Locale,
  Messages,
  RateLimiter,
  RateLimitErrors,
  REDIS,
  ValidationException,
} from '@app/platform';
import { CaseAccess } from './case-access.js';
import { type CaseView, CaseViewService } from './case-view.service.js';
import { StatusErrors } from './errors.js';
import { normaliseDate, normaliseSurname } from './lookup-details.js';
import { StatusAudit } from './status-audit.js';

export const STATUS_LIMITS = {
  perIp: { limit: 30, windowSeconds: 600 },
  perReference: { limit: 30, windowSeconds: 3600 },
  /** After this many failed look-ups of one reference within the window, it is locked. */
  failuresBeforeLock: 10,
  failureWindowSeconds: 3600,
  lockSeconds: 3600,
} as const;

export interface StatusLookupInput {
  reference?: unknown;
  surname?: unknown;
  dateOfBirth?: unknown;
}

/** The Redis keys kept for one reference (hashed: a reference in Redis would be a look-up table of cases). */
export function statusLookupKeys(
  blindIndex: BlindIndex,
  reference: string,
): { hash: string; lock: string; failures: string; lookups: string } {
  const hash = blindIndex.of('status-reference', reference);
  return { hash, lock: `status-lock:${hash}`, failures: `status-fail:${hash}`, lookups: `status-ref:${hash}` };
}

/**
 * The public status check: reference + surname + date of birth. An unknown reference and wrong
 * details do exactly the same work (one keyed hash, one indexed query, one constant-time
 * comparison, one failure count, one log row) and give the same answer. Limits per IP and per
 * reference live in Redis; ten failures in an hour lock the reference for an hour, even for
 * the right details (a success does not wipe the failures: they expire with their hour).
 */
@Injectable()
export class StatusCheckService {
  private readonly absentKey: Buffer;

  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly blindIndex: BlindIndex,
    private readonly limiter: RateLimiter,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly messages: Messages,
    private readonly access: CaseAccess,
    private readonly views: CaseViewService,
    private readonly audit: StatusAudit,
    private readonly catalogue: ServiceCatalogue,
  ) {
    // Compared against when the reference matches no case, so both paths compare the same lengths.
    this.absentKey = Buffer.from(this.spine.lookupKey('XX-0000-0000', 'NO SUCH CASE', '1900-01-01'));
  }

  async lookUp(input: StatusLookupInput, context: { ip: string; locale: Locale }): Promise<CaseView> {
    const t = this.messages.translator(context.locale);
    const ipHash = this.access.ipHash(context.ip);
    const perIp = await this.limiter.hit(`status-ip:${context.ip}`, STATUS_LIMITS.perIp.limit, STATUS_LIMITS.perIp.windowSeconds);
    if (!perIp.allowed) {
      await this.audit.record({ channel: 'form', outcome: 'rate-limited', ipHash });
      throw tooMany(t('statusCheck.tooMany'), perIp.retryAfterSeconds);
    }

    // Typos are refused here, before any look-up: the reference carries a check character.
    const problems: FieldError[] = [];
    const parsed = this.catalogue.parseReference(input.reference);
    if (!parsed) {
      const message = input.reference ? 'statusCheck.error.referenceInvalid' : 'statusCheck.error.referenceMissing';
      problems.push({ field: 'reference', messages: [t(message)] });
    }
    const surname = normaliseSurname(input.surname);
    if (!surname) problems.push({ field: 'surname', messages: [t('statusCheck.error.surname')] });
    const dateOfBirth = normaliseDate(input.dateOfBirth);
    if (!dateOfBirth) problems.push({ field: 'dateOfBirth', messages: [t('statusCheck.error.dateOfBirth')] });
    if (!parsed || !surname || !dateOfBirth) throw new ValidationException(problems, t('common.errorSummaryTitle'));

    const keys = statusLookupKeys(this.blindIndex, parsed.reference);
    const lockTtl = await this.redis.ttl(keys.lock);
    if (lockTtl > 0) {
      await this.audit.record({ channel: 'form', outcome: 'locked', ipHash, referenceHash: keys.hash });
      throw new DomainException(StatusErrors.STATUS_LOOKUP_LOCKED, t('statusCheck.locked'), { retryAfterSeconds: lockTtl });
    }
    const perReference = await this.limiter.hit(keys.lookups, STATUS_LIMITS.perReference.limit, STATUS_LIMITS.perReference.windowSeconds);
    if (!perReference.allowed) {
      await this.audit.record({ channel: 'form', outcome: 'rate-limited', ipHash, referenceHash: keys.hash });
      throw tooMany(t('statusCheck.tooMany'), perReference.retryAfterSeconds);
    }

    const typed = Buffer.from(this.spine.lookupKey(parsed.reference, surname, dateOfBirth));
    const [row] = (await this.dataSource.query(`SELECT id, lookup_key FROM "case" WHERE reference = $1`, [parsed.reference])) as {
      id: string;
      lookup_key: string | null;
    }[];
    const stored = row?.lookup_key ? Buffer.from(row.lookup_key) : this.absentKey;
    const same = stored.length === typed.length && timingSafeEqual(stored, typed);
    if (!row || !row.lookup_key || !same) {
      const failures = await this.limiter.hit(keys.failures, STATUS_LIMITS.failuresBeforeLock, STATUS_LIMITS.failureWindowSeconds);
      if (failures.count >= STATUS_LIMITS.failuresBeforeLock) await this.redis.set(keys.lock, '1', 'EX', STATUS_LIMITS.lockSeconds, 'NX');
      await this.audit.record({ channel: 'form', outcome: 'no-match', ipHash, referenceHash: keys.hash });
      throw new DomainException(StatusErrors.STATUS_NOT_FOUND, t('statusCheck.notFound'));
    }
    await this.audit.record({ channel: 'form', outcome: 'found', ipHash, referenceHash: keys.hash, caseId: row.id });
    return this.views.build(row.id, context.locale);
  }
}

function tooMany(message: string, retryAfterSeconds: number): DomainException {
  return new DomainException(RateLimitErrors.TOO_MANY_REQUESTS, message, { retryAfterSeconds });
}
