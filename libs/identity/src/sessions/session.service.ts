import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { type AuthenticatedOfficer, Clock, type Role } from '@app/platform';
import { PENDING_SIGN_IN_MS, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, SESSION_TOUCH_MS } from './session-policy.js';

/**
 * Where a session is in the sign-in: after the password it waits for the second factor
 * (`mfa`), for a first TOTP enrolment (`enrol`) or for a new password (`password`); only an
 * `active` session makes `request.officer`.
 */
export type SessionStage = 'mfa' | 'enrol' | 'password' | 'active';

export interface SessionOfficer extends AuthenticatedOfficer {
  email: string | null;
  mustChangePassword: boolean;
  totpEnrolled: boolean;
}

export interface OfficerSession {
  idHash: string;
  stage: SessionStage;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  authenticatedAt: Date | null;
  reauthenticatedAt: Date | null;
  returnTo: string | null;
  /** FieldCipher ciphertext of the secret being enrolled (context `officer_session.pending_totp_secret:<officerId>`). */
  pendingTotpSecret: string | null;
  officer: SessionOfficer;
}

export interface NewSession {
  stage: SessionStage;
  returnTo?: string | null;
  pendingTotpSecret?: string | null;
  authenticatedAt?: Date | null;
  reauthenticatedAt?: Date | null;
}

interface SessionRow {
  id_hash: string;
  stage: SessionStage;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  authenticated_at: Date | null;
  reauthenticated_at: Date | null;
  return_to: string | null;
  pending_totp_secret: string | null;
  officer_id: string;
  username: string;
  display_name: string;
  email: string | null;
  roles: Role[];
  post_code: string;
  post_kind: string;
  active: boolean;
  must_change_password: boolean;
  totp_enrolled: boolean;
}

function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function seesAllPosts(postKind: string, roles: readonly Role[]): boolean {
  return postKind === 'hq' || roles.includes('supervisor');
}

/**
 * Server-side sessions in PostgreSQL. The id is 256 random bits that only the cookie carries;
 * the table keeps its SHA-256. Every change of stage issues a new id (no session fixation).
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Creates a session and returns the token for the cookie (never stored, never logged). */
  async start(manager: EntityManager, officerId: string, session: NewSession): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt =
      session.stage === 'active'
        ? new Date((session.authenticatedAt ?? now).getTime() + SESSION_ABSOLUTE_MS)
        : new Date(now.getTime() + PENDING_SIGN_IN_MS);
    // Housekeeping: every session past its absolute end, and this officer's idle ones.
    await manager.query(`DELETE FROM officer_session WHERE expires_at <= $2 OR (officer_id = $1 AND last_seen_at <= $3)`, [
      officerId,
      now,
      new Date(now.getTime() - SESSION_IDLE_MS),
    ]);
    await manager.query(
      `INSERT INTO officer_session (id_hash, officer_id, stage, created_at, last_seen_at, expires_at, authenticated_at,
                                    reauthenticated_at, return_to, pending_totp_secret)
       VALUES ($1,$2,$3,$4,$4,$5,$6,$7,$8,$9)`,
      [
        hashSessionToken(token),
        officerId,
        session.stage,
        now,
        expiresAt,
        session.authenticatedAt ?? null,
        session.reauthenticatedAt ?? null,
        session.returnTo ?? null,
        session.pendingTotpSecret ?? null,
      ],
    );
    return token;
  }

  /** Replaces a session by a new one with a new id, moving it to the next stage. */
  async rotate(manager: EntityManager, current: OfficerSession, next: NewSession): Promise<string> {
    await manager.query(`DELETE FROM officer_session WHERE id_hash = $1`, [current.idHash]);
    return this.start(manager, current.officer.id, {
      returnTo: current.returnTo,
      reauthenticatedAt: current.reauthenticatedAt,
      ...next,
    });
  }

  /** The live session behind a cookie, or null (unknown, expired, idle too long, or the officer was locked by an administrator). */
  async resolve(token: string): Promise<OfficerSession | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const idHash = hashSessionToken(token);
    const [row] = (await this.dataSource.query(
      `SELECT s.id_hash, s.stage, s.created_at, s.last_seen_at, s.expires_at, s.authenticated_at, s.reauthenticated_at,
              s.return_to, s.pending_totp_secret, o.id AS officer_id, o.username, o.display_name, o.email, o.roles,
              o.post_code, p.kind AS post_kind, o.active, o.must_change_password, o.totp_secret IS NOT NULL AS totp_enrolled
         FROM officer_session s JOIN officer o ON o.id = s.officer_id JOIN post p ON p.code = o.post_code
        WHERE s.id_hash = $1`,
      [idHash],
    )) as SessionRow[];
    if (!row) return null;
    const now = this.clock.now();
    const idleFor = now.getTime() - row.last_seen_at.getTime();
    if (now >= row.expires_at || idleFor >= SESSION_IDLE_MS || !row.active) {
      await this.destroy(idHash);
      return null;
    }
    if (idleFor >= SESSION_TOUCH_MS) {
      await this.dataSource.query(`UPDATE officer_session SET last_seen_at = $2 WHERE id_hash = $1`, [idHash, now]);
    }
    return {
      idHash,
      stage: row.stage,
      createdAt: row.created_at,
      lastSeenAt: idleFor >= SESSION_TOUCH_MS ? now : row.last_seen_at,
      expiresAt: row.expires_at,
      authenticatedAt: row.authenticated_at,
      reauthenticatedAt: row.reauthenticated_at,
      returnTo: row.return_to,
      pendingTotpSecret: row.pending_totp_secret,
      officer: {
        id: row.officer_id,
        username: row.username,
        displayName: row.display_name,
        email: row.email,
        roles: row.roles,
        postCode: row.post_code,
        seesAllPosts: seesAllPosts(row.post_kind, row.roles),
        mustChangePassword: row.must_change_password,
        totpEnrolled: row.totp_enrolled,
      },
    };
  }

  async destroy(idHash: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM officer_session WHERE id_hash = $1`, [idHash]);
  }

  /** Signs an officer out everywhere (password changed, MFA reset, account locked), optionally keeping one session. */
  async destroyAllFor(manager: EntityManager, officerId: string, keepIdHash?: string): Promise<void> {
    await manager.query(`DELETE FROM officer_session WHERE officer_id = $1 AND id_hash IS DISTINCT FROM $2`, [
      officerId,
      keepIdHash ?? null,
    ]);
  }

  async markReauthenticated(idHash: string): Promise<void> {
    await this.dataSource.query(`UPDATE officer_session SET reauthenticated_at = $2 WHERE id_hash = $1`, [idHash, this.clock.now()]);
  }

  async setPendingTotpSecret(idHash: string, ciphertext: string): Promise<void> {
    await this.dataSource.query(`UPDATE officer_session SET pending_totp_secret = $2 WHERE id_hash = $1`, [idHash, ciphertext]);
  }
}
