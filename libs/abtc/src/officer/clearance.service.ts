import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog, officerActor } from '@app/audit';
import { type CaseRecord, CaseSpine, OutboxWriter } from '@app/cases';
import { findCaseInScope } from '@app/identity';
import { type AuthenticatedOfficer, Clock, DomainException, FieldCipher, postScopeOf, ValidationException } from '@app/platform';
import { AbtcService, type ApplicationView } from '../abtc.service.js';
import { AbtcErrors } from '../errors.js';
import { cardValidUntil } from '../settings.js';
import { text } from '../validation.js';
import { abtcMachine } from '../abtc.machine.js';
import { ABTC_JOBS } from '../abtc.jobs.js';

export const MAX_NOTE = 1000;

export interface ClearanceAnswer {
  economy: string;
  decision: string;
  note: string;
}

/**
 * Pre-clearance on the officer side: each economy's answer, then the card (once no economy is
 * pending and at least one approved) or the refusal (once every full member refused). Post-scoped
 * like the review workspace; the version the officer saw is checked (409 when stale).
 */
@Injectable()
export class ClearanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly applications: AbtcService,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly outbox: OutboxWriter,
  ) {}

  async load(officer: AuthenticatedOfficer, caseId: string): Promise<{ current: CaseRecord; view: ApplicationView }> {
    const current = await findCaseInScope(this.dataSource.manager, caseId, postScopeOf(officer));
    const view = current.service === 'abtc' ? await this.applications.view(caseId) : null;
    if (!view) throw new DomainException(AbtcErrors.ABTC_NOT_FOUND, 'No such application.');
    return { current, view };
  }

  /** Records one economy's answer (APPROVED, or REFUSED with a note) to a PENDING clearance. */
  async record(officer: AuthenticatedOfficer, caseId: string, version: unknown, answer: ClearanceAnswer): Promise<void> {
    await this.inPreClearance(officer, caseId, version, async (manager, current, view) => {
      const decision = text(answer.decision);
      const note = text(answer.note);
      const clearance = view.clearances.find((c) => c.economy.code === text(answer.economy));
      const errors = [];
      if (!clearance) errors.push({ field: 'economy', messages: ['Choose the economy that answered.'] });
      if (decision !== 'APPROVED' && decision !== 'REFUSED') errors.push({ field: 'decision', messages: ['Choose approved or refused.'] });
      if (decision === 'REFUSED' && !note) errors.push({ field: 'note', messages: ['Say why the economy refused.'] });
      if (note.length > MAX_NOTE) errors.push({ field: 'note', messages: [`Use at most ${MAX_NOTE} characters.`] });
      if (errors.length) throw new ValidationException(errors);
      if (clearance!.status !== 'PENDING') {
        throw new DomainException(
          AbtcErrors.CLEARANCE_NOT_ALLOWED,
          `${clearance!.economy.name} has already answered (${clearance!.status}).`,
        );
      }
      const code = clearance!.economy.code;
      await manager.query(`UPDATE abtc_clearance SET status = $3, decided_at = $4, note = $5 WHERE case_id = $1 AND economy = $2`, [
        caseId,
        code,
        decision,
        this.clock.now(),
        note ? this.applications.sealNote(caseId, code, note) : null,
      ]);
      await this.spine.recordEvent(manager, {
        caseId,
        expectedVersion: current.version,
        actor: { type: 'officer', id: officer.id },
        type: 'abtc.clearance',
        visibility: 'internal',
        payload: { economy: code, status: decision },
      });
      await this.auditRecord(manager, officer, current, 'abtc.clearance_recorded', { economy: code, status: decision });
    });
  }

  /**
   * PRE_CLEARANCE → ISSUED once no economy is pending and at least one approved: the card number,
   * valid for `cardValidityYears` from today at the processing post or until the passport expires
   * if sooner; the card lists the economies that approved. Queues the card PDF.
   */
  async issue(officer: AuthenticatedOfficer, caseId: string, version: unknown): Promise<void> {
    await this.inPreClearance(officer, caseId, version, async (manager, current, view) => {
      const pending = view.clearances.filter((c) => c.status === 'PENDING');
      const approved = view.clearances.filter((c) => c.status === 'APPROVED');
      if (pending.length || !approved.length) {
        throw new DomainException(
          AbtcErrors.CLEARANCE_NOT_ALLOWED,
          pending.length
            ? `${pending.length} economies have not answered yet; the card is issued once none is pending.`
            : 'No economy approved: the card cannot be issued.',
          { pending: pending.map((c) => c.economy.code) },
        );
      }
      const validFrom = await this.applications.localDate();
      const validUntil = cardValidUntil(this.applications.settings, validFrom, view.passportExpiry);
      const [{ seq }] = (await manager.query(`SELECT nextval('abtc_card_seq')::text AS seq`)) as [{ seq: string }];
      const cardNumber = `ABTC-${validFrom.slice(0, 4)}-${seq.padStart(6, '0')}`;
      await manager.query(`UPDATE abtc_application SET card_number = $2, valid_from = $3, valid_until = $4 WHERE case_id = $1`, [
        caseId,
        cardNumber,
        validFrom,
        validUntil,
      ]);
      const economies = approved.map((c) => c.economy.code);
      await this.spine.transition(manager, {
        machine: abtcMachine,
        caseId,
        expectedVersion: current.version,
        current,
        to: 'ISSUED',
        actor: { type: 'officer', id: officer.id },
        type: 'abtc.issued',
        visibility: 'applicant',
        payload: { validFrom, validUntil, economies },
        set: { decidedAt: this.clock.now() },
      });
      await this.outbox.add(manager, ABTC_JOBS.RenderCard, { caseId }, { caseId });
      await this.auditRecord(manager, officer, current, 'abtc.issued', { economies });
    });
  }

  /** PRE_CLEARANCE → REFUSED once every full member has refused; the reason in words is for the applicant. */
  async refuse(officer: AuthenticatedOfficer, caseId: string, version: unknown, reason: string): Promise<void> {
    await this.inPreClearance(officer, caseId, version, async (manager, current, view) => {
      const trimmed = text(reason);
      if (!trimmed || trimmed.length > MAX_NOTE) {
        throw new ValidationException([{ field: 'reason', messages: ['Explain the refusal to the applicant.'] }]);
      }
      const open = view.clearances.filter((c) => c.status === 'PENDING' || c.status === 'APPROVED');
      if (open.length) {
        throw new DomainException(
          AbtcErrors.CLEARANCE_NOT_ALLOWED,
          'An application is refused here only once every full member has refused it.',
          { notRefused: open.map((c) => c.economy.code) },
        );
      }
      await this.spine.transition(manager, {
        machine: abtcMachine,
        caseId,
        expectedVersion: current.version,
        current,
        to: 'REFUSED',
        actor: { type: 'officer', id: officer.id },
        type: 'abtc.refused',
        visibility: 'applicant',
        payload: { note: this.cipher.encrypt(trimmed, `case_event.note:${caseId}`) },
        set: { decidedAt: this.clock.now() },
      });
      await this.auditRecord(manager, officer, current, 'abtc.refused', {});
    });
  }

  /** Runs a step on a case in scope, row locked, at the version the officer saw and in PRE_CLEARANCE. */
  private async inPreClearance(
    officer: AuthenticatedOfficer,
    caseId: string,
    version: unknown,
    step: (manager: EntityManager, current: CaseRecord, view: ApplicationView) => Promise<void>,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const current = await findCaseInScope(manager, caseId, postScopeOf(officer), true);
      const view = current.service === 'abtc' ? await this.applications.view(caseId, manager) : null;
      if (!view) throw new DomainException(AbtcErrors.ABTC_NOT_FOUND, 'No such application.');
      this.spine.assertVersion(current, versionOf(version));
      if (current.status !== 'PRE_CLEARANCE') {
        throw new DomainException(
          AbtcErrors.CLEARANCE_NOT_ALLOWED,
          `This application is ${current.status}, not waiting for pre-clearance.`,
          {
            status: current.status,
          },
        );
      }
      await step(manager, current, view);
    });
  }

  private auditRecord(manager: EntityManager, officer: AuthenticatedOfficer, current: CaseRecord, action: string, details: object) {
    return this.audit.record(manager, {
      action,
      actor: officerActor(officer),
      target: { type: 'case', id: current.id },
      postCode: current.postCode,
      details: { ...details },
    });
  }
}

/** The version a form or JSON body carried, as a positive integer. */
function versionOf(raw: unknown): number {
  const version = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  if (!Number.isInteger(version) || version < 1) {
    throw new ValidationException([{ field: 'expectedVersion', messages: ['The case version is missing. Reload the page.'] }]);
  }
  return version;
}
