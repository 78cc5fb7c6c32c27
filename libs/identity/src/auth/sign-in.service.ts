import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig, Clock, DomainException, FieldCipher, RateLimitErrors, RateLimiter } from '@app/platform';
import { AuditLog, officerActor } from '@app/audit';
import { Officer } from '../officers/officer.entity.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { recoveryCodeMatches } from '../mfa/recovery-codes.js';
import { totpStep } from '../mfa/totp.js';
import type { OfficerSession } from '../sessions/session.service.js';

/** ASVS 2.2.1: ten failures in a row lock the account for 15 minutes. */
export const LOCKOUT_THRESHOLD = 10;
export const LOCKOUT_MS = 15 * 60_000;
/** Failed sign-in steps allowed per IP address per window, across all accounts. */
export const IP_FAILURE_LIMIT = 30;
export const IP_FAILURE_WINDOW_SECONDS = 15 * 60;

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;

export type SecondFactor = { kind: 'totp'; code: string } | { kind: 'recovery'; code: string };

type FailureReason = 'unknown_username' | 'bad_password' | 'locked' | 'disabled' | 'bad_totp' | 'bad_recovery_code';

/**
 * The checks behind the sign-in pages. A wrong username, a wrong password, a locked and a
 * disabled account all look the same to the caller and take about as long (an unknown username
 * is checked against a dummy hash). Every outcome is audited.
 */
@Injectable()
export class SignInService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditLog,
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The officer whose password this is, or null; refuses with 429 once the IP has failed too often. */
  async checkPassword(username: string, password: string, ip: string): Promise<Officer | null> {
    await this.assertIpAllowed(ip);
    const normalised = username.trim().toLowerCase();
    const officer = USERNAME_PATTERN.test(normalised)
      ? await this.dataSource.getRepository(Officer).findOneBy({ username: normalised })
      : null;
    const valid = await this.hasher.verify(officer?.passwordHash, password);
    if (!officer) return this.refuse(null, ip, 'unknown_username', 'password');
    if (!officer.active) return this.refuse(officer, ip, 'disabled', 'password');
    if (this.isLocked(officer)) return this.refuse(officer, ip, 'locked', 'password');
    if (!valid) return this.refuse(officer, ip, 'bad_password', 'password');
    return officer;
  }

  /** Checks a TOTP code (a step not used before) or an unused recovery code for a session waiting for its second factor. */
  async checkSecondFactor(session: OfficerSession, factor: SecondFactor, ip: string): Promise<boolean> {
    await this.assertIpAllowed(ip);
    const officer = await this.dataSource.getRepository(Officer).findOneByOrFail({ id: session.officer.id });
    let refusal: FailureReason | null = null;
    if (!officer.active) refusal = 'disabled';
    else if (this.isLocked(officer)) refusal = 'locked';
    else if (factor.kind === 'totp' && !(await this.acceptTotp(officer, factor.code))) refusal = 'bad_totp';
    else if (factor.kind === 'recovery' && !(await this.acceptRecoveryCode(officer, factor.code, ip))) refusal = 'bad_recovery_code';
    if (refusal === null) return true;
    await this.refuse(officer, ip, refusal, factor.kind);
    return false;
  }

  /** Called when a sign-in completes: the failure count starts again and the success is audited. */
  async succeeded(
    manager: EntityManager,
    session: OfficerSession,
    ip: string,
    method: 'totp' | 'recovery_code' | 'enrolment',
  ): Promise<void> {
    await manager.query(`UPDATE officer SET failed_attempts = 0, updated_at = $2 WHERE id = $1`, [session.officer.id, this.clock.now()]);
    await this.audit.record(manager, {
      action: 'officer.sign_in',
      actor: officerActor(session.officer),
      target: { type: 'officer', id: session.officer.id },
      postCode: session.officer.postCode,
      ip,
      details: { method },
    });
  }

  isLocked(officer: Pick<Officer, 'lockedUntil'>): boolean {
    return officer.lockedUntil !== null && officer.lockedUntil > this.clock.now();
  }

  private async acceptTotp(officer: Officer, code: string): Promise<boolean> {
    if (!officer.totpSecret) return false;
    const secret = this.cipher.decrypt(officer.totpSecret, `officer.totp_secret:${officer.id}`);
    const step = totpStep(secret, code, this.clock.now());
    if (step === null) return false;
    // One statement, so two requests racing with the same code cannot both pass.
    const used = (await this.dataSource.query(
      `UPDATE officer SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
      [officer.id, step],
    )) as [unknown[], number];
    return used[1] === 1;
  }

  private async acceptRecoveryCode(officer: Officer, code: string, ip: string): Promise<boolean> {
    const codes = (await this.dataSource.query(
      `SELECT id, code_hash FROM officer_recovery_code WHERE officer_id = $1 AND used_at IS NULL`,
      [officer.id],
    )) as { id: string; code_hash: string }[];
    const match = codes.find((stored) => recoveryCodeMatches(stored.code_hash, code));
    if (!match) return false;
    return this.dataSource.transaction(async (manager) => {
      const [, claimed] = (await manager.query(`UPDATE officer_recovery_code SET used_at = $2 WHERE id = $1 AND used_at IS NULL`, [
        match.id,
        this.clock.now(),
      ])) as [unknown, number];
      if (claimed !== 1) return false;
      await this.audit.record(manager, {
        action: 'mfa.recovery_code_used',
        actor: officerActor(officer),
        target: { type: 'officer', id: officer.id },
        postCode: officer.postCode,
        ip,
        details: { remaining: codes.length - 1 },
      });
      return true;
    });
  }

  private async assertIpAllowed(ip: string): Promise<void> {
    if ((await this.limiter.peek(this.ipKey(ip))) >= IP_FAILURE_LIMIT) {
      throw new DomainException(RateLimitErrors.TOO_MANY_REQUESTS, 'Too many failed sign-in attempts from this address. Try again later.');
    }
  }

  private ipKey(ip: string): string {
    return `${this.config.queuePrefix}:officer-sign-in-failures:${ip}`;
  }

  /** Records a failure; a wrong password or code also counts towards the lock-out, which is audited when it happens. */
  private async refuse(officer: Officer | null, ip: string, reason: FailureReason, step: string): Promise<null> {
    await this.limiter.hit(this.ipKey(ip), IP_FAILURE_LIMIT, IP_FAILURE_WINDOW_SECONDS);
    await this.dataSource.transaction(async (manager) => {
      await this.audit.record(manager, {
        action: 'officer.sign_in',
        outcome: 'failure',
        actor: officer ? officerActor(officer) : { type: 'anonymous' },
        target: officer ? { type: 'officer', id: officer.id } : null,
        postCode: officer?.postCode ?? null,
        ip,
        details: { reason, step },
      });
      if (!officer || !['bad_password', 'bad_totp', 'bad_recovery_code'].includes(reason)) return;
      const now = this.clock.now();
      const [[counted]] = (await manager.query(
        `UPDATE officer SET failed_attempts = failed_attempts + 1, updated_at = $2 WHERE id = $1 RETURNING failed_attempts`,
        [officer.id, now],
      )) as [[{ failed_attempts: number }], number];
      if (counted!.failed_attempts < LOCKOUT_THRESHOLD) return;
      const lockedUntil = new Date(now.getTime() + LOCKOUT_MS);
      await manager.query(`UPDATE officer SET failed_attempts = 0, locked_until = $2 WHERE id = $1`, [officer.id, lockedUntil]);
      await this.audit.record(manager, {
        action: 'officer.locked',
        actor: { type: 'system' },
        target: { type: 'officer', id: officer.id },
        postCode: officer.postCode,
        ip,
        details: { reason: 'failed_attempts', attempts: LOCKOUT_THRESHOLD, lockedUntil: lockedUntil.toISOString() },
      });
    });
    return null;
  }
}
