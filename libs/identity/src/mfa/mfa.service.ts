import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock, FieldCipher } from '@app/platform';
import { AuditLog, type AuditActor, officerActor } from '@app/audit';
import { SessionService, type OfficerSession } from '../sessions/session.service.js';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.js';
import { newTotpSecret, totpStep } from './totp.js';

/** TOTP enrolment, recovery codes and MFA resets. */
@Injectable()
export class MfaService {
  constructor(
    private readonly cipher: FieldCipher,
    private readonly sessions: SessionService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** The secret being enrolled in this session: kept (encrypted) in the session so a reload shows the same QR code. */
  async pendingSecret(session: OfficerSession): Promise<string> {
    const context = `officer_session.pending_totp_secret:${session.officer.id}`;
    if (session.pendingTotpSecret) return this.cipher.decrypt(session.pendingTotpSecret, context);
    const secret = newTotpSecret();
    await this.sessions.setPendingTotpSecret(session.idHash, this.cipher.encrypt(secret, context));
    return secret;
  }

  /**
   * Confirms the enrolment with a code from the app. Stores the secret, remembers the step so the
   * same code cannot sign in again, and issues fresh recovery codes (returned once, stored hashed).
   */
  async confirmEnrolment(manager: EntityManager, session: OfficerSession, code: string, ip: string): Promise<string[] | null> {
    if (!session.pendingTotpSecret) return null;
    const secret = this.cipher.decrypt(session.pendingTotpSecret, `officer_session.pending_totp_secret:${session.officer.id}`);
    const step = totpStep(secret, code, this.clock.now());
    if (step === null) return null;
    const officerId = session.officer.id;
    const [, updated] = (await manager.query(
      `UPDATE officer SET totp_secret = $2, totp_enrolled_at = $3, totp_last_step = $4, updated_at = $3
        WHERE id = $1 AND totp_secret IS NULL`,
      [officerId, this.cipher.encrypt(secret, `officer.totp_secret:${officerId}`), this.clock.now(), step],
    )) as [unknown, number];
    if (updated !== 1) return null;
    const codes = await this.replaceRecoveryCodes(manager, officerId);
    await this.audit.record(manager, {
      action: 'mfa.enrolled',
      actor: officerActor(session.officer),
      target: { type: 'officer', id: officerId },
      postCode: session.officer.postCode,
      ip,
      details: { recoveryCodes: codes.length },
    });
    return codes;
  }

  private async replaceRecoveryCodes(manager: EntityManager, officerId: string): Promise<string[]> {
    const codes = newRecoveryCodes();
    await manager.query(`DELETE FROM officer_recovery_code WHERE officer_id = $1`, [officerId]);
    for (const code of codes) {
      await manager.query(`INSERT INTO officer_recovery_code (officer_id, code_hash, created_at) VALUES ($1, $2, $3)`, [
        officerId,
        hashRecoveryCode(code),
        this.clock.now(),
      ]);
    }
    return codes;
  }

  /** Forgets the officer's authenticator and recovery codes and signs them out: they enrol again at the next sign-in. */
  async reset(manager: EntityManager, target: { id: string; postCode: string }, actor: AuditActor, ip: string | null): Promise<void> {
    await manager.query(
      `UPDATE officer SET totp_secret = NULL, totp_enrolled_at = NULL, totp_last_step = NULL, updated_at = $2 WHERE id = $1`,
      [target.id, this.clock.now()],
    );
    await manager.query(`DELETE FROM officer_recovery_code WHERE officer_id = $1`, [target.id]);
    await this.sessions.destroyAllFor(manager, target.id);
    await this.audit.record(manager, {
      action: 'mfa.reset',
      actor,
      target: { type: 'officer', id: target.id },
      postCode: target.postCode,
      ip,
    });
  }
}
