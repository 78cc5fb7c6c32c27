import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@app/platform';
import { AuditLog, officerActor } from '@app/audit';
import { MfaService } from '../mfa/mfa.service.js';
import { OfficerService } from '../officers/officer.service.js';
import { type OfficerSession, SessionService, type SessionStage } from '../sessions/session.service.js';
import { type SecondFactor, SignInService } from './sign-in.service.js';

export const OFFICER_HOME = '/officer';

export const STAGE_PAGES: Record<Exclude<SessionStage, 'active'>, string> = {
  mfa: '/officer/sign-in/mfa',
  enrol: '/officer/mfa/enrol',
  password: '/officer/sign-in/new-password',
};

/** A step that moved the sign-in on: the new session token for the cookie and where to go next. */
export interface SignInStep {
  token: string;
  next: string;
}

/**
 * The sign-in as a sequence of session stages: password → second factor (or first enrolment)
 * → new password when one was issued by someone else → active. Each step issues a new session
 * id; only the last makes an active session.
 */
@Injectable()
export class SignInFlow {
  constructor(
    private readonly dataSource: DataSource,
    private readonly signIn: SignInService,
    private readonly sessions: SessionService,
    private readonly mfa: MfaService,
    private readonly officers: OfficerService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** Null when the username and password do not let anyone in (the caller shows one message for every reason). */
  async password(
    username: string,
    password: string,
    returnTo: string | null,
    ip: string,
    previous: OfficerSession | null,
  ): Promise<SignInStep | null> {
    const officer = await this.signIn.checkPassword(username, password, ip);
    if (!officer) return null;
    const stage: SessionStage = officer.totpSecret ? 'mfa' : 'enrol';
    const token = await this.dataSource.transaction(async (manager) => {
      if (previous) await manager.query(`DELETE FROM officer_session WHERE id_hash = $1`, [previous.idHash]);
      return this.sessions.start(manager, officer.id, { stage, returnTo });
    });
    return { token, next: STAGE_PAGES[stage] };
  }

  async secondFactor(session: OfficerSession, factor: SecondFactor, ip: string): Promise<SignInStep | null> {
    if (!(await this.signIn.checkSecondFactor(session, factor, ip))) return null;
    return this.dataSource.transaction((manager) =>
      this.authenticated(manager, session, ip, factor.kind === 'totp' ? 'totp' : 'recovery_code'),
    );
  }

  /** Confirms a first enrolment; the recovery codes are shown once, then only their hashes remain. */
  async enrol(session: OfficerSession, code: string, ip: string): Promise<(SignInStep & { recoveryCodes: string[] }) | null> {
    return this.dataSource.transaction(async (manager) => {
      const recoveryCodes = await this.mfa.confirmEnrolment(manager, session, code, ip);
      if (!recoveryCodes) return null;
      return { ...(await this.authenticated(manager, session, ip, 'enrolment')), recoveryCodes };
    });
  }

  /** The password an administrator or the CLI issued is replaced by one the officer chose; throws ValidationException. */
  async newPassword(session: OfficerSession, password: string, ip: string): Promise<SignInStep> {
    return this.dataSource.transaction(async (manager) => {
      await this.officers.changePassword(manager, session.officer, password, officerActor(session.officer), ip, session.idHash);
      return this.activate(manager, session);
    });
  }

  /** Asks for the password again before a sensitive action; a wrong one counts like a failed sign-in. */
  async reauthenticate(session: OfficerSession, password: string, ip: string): Promise<boolean> {
    const officer = await this.signIn.checkPassword(session.officer.username, password, ip);
    if (!officer || officer.id !== session.officer.id) return false;
    await this.sessions.markReauthenticated(session.idHash);
    await this.audit.record(this.dataSource.manager, {
      action: 'officer.reauthenticated',
      actor: officerActor(session.officer),
      target: { type: 'officer', id: session.officer.id },
      postCode: session.officer.postCode,
      ip,
    });
    return true;
  }

  async signOut(session: OfficerSession, ip: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM officer_session WHERE id_hash = $1`, [session.idHash]);
      if (session.stage !== 'active') return;
      await this.audit.record(manager, {
        action: 'officer.signed_out',
        actor: officerActor(session.officer),
        target: { type: 'officer', id: session.officer.id },
        postCode: session.officer.postCode,
        ip,
      });
    });
  }

  private async authenticated(
    manager: EntityManager,
    session: OfficerSession,
    ip: string,
    method: 'totp' | 'recovery_code' | 'enrolment',
  ): Promise<SignInStep> {
    await this.signIn.succeeded(manager, session, ip, method);
    if (session.officer.mustChangePassword) {
      const token = await this.sessions.rotate(manager, session, { stage: 'password', pendingTotpSecret: null });
      return { token, next: STAGE_PAGES.password };
    }
    return this.activate(manager, session);
  }

  private async activate(manager: EntityManager, session: OfficerSession): Promise<SignInStep> {
    const now = this.clock.now();
    const token = await this.sessions.rotate(manager, session, {
      stage: 'active',
      authenticatedAt: now,
      reauthenticatedAt: now,
      pendingTotpSecret: null,
    });
    return { token, next: session.returnTo ?? OFFICER_HOME };
  }
}
