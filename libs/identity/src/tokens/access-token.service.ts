import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { type AuthenticatedOfficer, Clock, DomainException, type Role, ValidationException } from '@app/platform';
import { AuditLog, officerActor } from '@app/audit';
import { IdentityErrors } from '../errors.js';
import { seesAllPosts } from '../sessions/session.service.js';
import { AccessToken } from './access-token.entity.js';

export const TOKEN_PREFIX = 'cpat_';
export const TOKEN_MAX_DAYS = 90;
const TOKEN_PATTERN = /^cpat_[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 24 * 3600_000;
const TOUCH_MS = 60_000;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Personal access tokens for the JSON API (`Authorization: Bearer cpat_…`): stored hashed, expiring, revocable. */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** Returns the token itself once; only its hash is kept. */
  async create(
    manager: EntityManager,
    officer: AuthenticatedOfficer,
    input: { name: string; days: number },
    ip: string | null,
  ): Promise<{ token: string; record: AccessToken }> {
    const name = input.name.trim();
    const problems = [];
    if (!name || [...name].length > 80) problems.push({ field: 'name', messages: ['identity.tokens.error.name'] });
    if (!Number.isInteger(input.days) || input.days < 1 || input.days > TOKEN_MAX_DAYS) {
      problems.push({ field: 'days', messages: ['identity.tokens.error.days'] });
    }
    if (problems.length) throw new ValidationException(problems);
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const [{ id }] = (await manager.query(
      `INSERT INTO officer_access_token (officer_id, name, token_hash, token_hint, created_at, expires_at)
       VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
      [officer.id, name, hashToken(token), token.slice(0, TOKEN_PREFIX.length + 4), now, new Date(now.getTime() + input.days * DAY_MS)],
    )) as [{ id: string }];
    await this.audit.record(manager, {
      action: 'access_token.created',
      actor: officerActor(officer),
      target: { type: 'access_token', id },
      postCode: officer.postCode,
      ip,
      details: { days: input.days },
    });
    return { token, record: await manager.getRepository(AccessToken).findOneByOrFail({ id }) };
  }

  list(officerId: string): Promise<AccessToken[]> {
    return this.dataSource.getRepository(AccessToken).find({ where: { officerId }, order: { createdAt: 'DESC' }, take: 100 });
  }

  /** Revokes one of the officer's own tokens; anyone else's is 404. Revoking twice changes nothing. */
  async revoke(manager: EntityManager, officer: AuthenticatedOfficer, tokenId: string, ip: string | null): Promise<void> {
    const token = UUID.test(tokenId) ? await manager.getRepository(AccessToken).findOneBy({ id: tokenId, officerId: officer.id }) : null;
    if (!token) throw new DomainException(IdentityErrors.ACCESS_TOKEN_NOT_FOUND, 'No such access token.');
    if (token.revokedAt) return;
    await manager.query(`UPDATE officer_access_token SET revoked_at = $2 WHERE id = $1`, [token.id, this.clock.now()]);
    await this.audit.record(manager, {
      action: 'access_token.revoked',
      actor: officerActor(officer),
      target: { type: 'access_token', id: token.id },
      postCode: officer.postCode,
      ip,
    });
  }

  /** The officer behind a bearer token, or null when it is unknown, revoked, expired or its officer is locked. */
  async authenticate(token: string): Promise<{ officer: AuthenticatedOfficer; tokenId: string } | null> {
    if (!TOKEN_PATTERN.test(token)) return null;
    const [row] = (await this.dataSource.query(
      `SELECT t.id, t.expires_at, t.revoked_at, t.last_used_at, o.id AS officer_id, o.username, o.display_name, o.roles, o.post_code,
              o.active, p.kind AS post_kind
         FROM officer_access_token t JOIN officer o ON o.id = t.officer_id JOIN post p ON p.code = o.post_code
        WHERE t.token_hash = $1`,
      [hashToken(token)],
    )) as {
      id: string;
      expires_at: Date;
      revoked_at: Date | null;
      last_used_at: Date | null;
      officer_id: string;
      username: string;
      display_name: string;
      roles: Role[];
      post_code: string;
      active: boolean;
      post_kind: string;
    }[];
    const now = this.clock.now();
    if (!row || row.revoked_at || row.expires_at <= now || !row.active) return null;
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= TOUCH_MS) {
      await this.dataSource.query(`UPDATE officer_access_token SET last_used_at = $2 WHERE id = $1`, [row.id, now]);
    }
    return {
      tokenId: row.id,
      officer: {
        id: row.officer_id,
        username: row.username,
        displayName: row.display_name,
        roles: row.roles,
        postCode: row.post_code,
        seesAllPosts: seesAllPosts(row.post_kind, row.roles),
      },
    };
  }
}
