import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  CaseSpine,
  type CaseRecord,
  type DecisionAction,
  type DecisionContext,
  type DecisionInput,
  ServiceCatalogue,
  type StateMachine,
} from '@app/cases';
import { type AuthenticatedOfficer, Clock, DomainException, FieldCipher, postScopeOf, ValidationException } from '@app/platform';
import { AuditLog, officerActor } from '@app/audit';
import { findCaseInScope } from '@app/identity';
import { ReviewErrors } from './errors.js';
import { REFUSAL_REASONS } from './refusal-reasons.js';
import { LEASE_MINUTES } from './review-queue.service.js';

const MAX_TEXT = 2000;
const MAX_DEADLINE_DAYS = 60;

/**
 * Officers' decisions. A decision needs the officer's live claim and the version they saw; it goes
 * through the service's transition table, renews nothing once decided, and is audited.
 */
@Injectable()
export class DecisionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly clock: Clock,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditLog,
    private readonly catalogue: ServiceCatalogue,
  ) {}

  async decide(officer: AuthenticatedOfficer, caseId: string, input: DecisionInput): Promise<CaseRecord> {
    this.validate(input);
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const current = await this.loadInScope(manager, officer, caseId);
      this.assertClaimHeld(current, officer, now);
      this.spine.assertVersion(current, input.expectedVersion);
      const machine = this.catalogue.machine(current.service);
      const decision = machine.decisions[input.action];
      if (!decision || !decision.from.includes(current.status)) {
        throw new DomainException(
          ReviewErrors.ACTION_NOT_ALLOWED,
          `This case is ${current.status}; "${input.action}" is not possible now.`,
          {
            status: current.status,
            allowed: allowedActions(machine, current.status),
          },
        );
      }
      const context: DecisionContext = {
        manager,
        officer,
        current,
        input,
        to: decision.to,
        now,
        leaseUntil: new Date(now.getTime() + LEASE_MINUTES * 60_000),
      };
      const handler =
        this.catalogue.review(current.service)?.decisions[input.action] ?? ((c: DecisionContext) => this.applyStatusDecision(c));
      const decided = await handler(context);
      await this.audit.record(manager, {
        action: 'case.decided',
        actor: officerActor(officer),
        target: { type: 'case', id: caseId },
        postCode: current.postCode,
        details: { decision: input.action, from: current.status, to: decided.status, reasonCode: input.reasonCode ?? null },
      });
      return decided;
    });
  }

  /** The default decision: a status change carrying the reason, visible to the applicant. */
  async applyStatusDecision(context: DecisionContext): Promise<CaseRecord> {
    const { manager, officer, current, input, to, now, leaseUntil } = context;
    const final = input.action !== 'requestInfo';
    const payload: Record<string, unknown> = {};
    if (input.reasonCode) payload.reasonCode = input.reasonCode;
    if (input.action === 'requestInfo') {
      payload.message = this.cipher.encrypt(input.text ?? '', `case_event.message:${current.id}`);
      payload.deadline = input.deadline;
    } else if (input.text) {
      payload.note = this.cipher.encrypt(input.text, `case_event.note:${current.id}`);
    }
    const { case: decided } = await this.spine.transition(manager, {
      machine: this.catalogue.machine(current.service),
      caseId: current.id,
      expectedVersion: input.expectedVersion,
      to,
      actor: caseActor(officer),
      type: `decision.${input.action}`,
      visibility: 'applicant',
      payload,
      set: final ? { decidedAt: now, claimExpiresAt: null } : { claimExpiresAt: leaseUntil },
    });
    return decided;
  }

  /** An internal note, never shown to the applicant. Renews the writer's claim if they hold one. */
  async addNote(officer: AuthenticatedOfficer, caseId: string, text: string): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      const current = await this.loadInScope(manager, officer, caseId);
      const trimmed = typeof text === 'string' ? text.trim() : '';
      if (!trimmed || trimmed.length > MAX_TEXT) {
        throw new ValidationException([{ field: 'text', messages: [`Enter a note of 1 to ${MAX_TEXT} characters.`] }]);
      }
      const holdsClaim = current.assignedOfficerId === officer.id && current.claimExpiresAt !== null && current.claimExpiresAt > now;
      await this.spine.recordEvent(manager, {
        caseId,
        actor: caseActor(officer),
        type: 'note.added',
        visibility: 'internal',
        payload: { text: this.cipher.encrypt(trimmed, `case_event.note:${caseId}`) },
        set: holdsClaim ? { claimExpiresAt: new Date(now.getTime() + LEASE_MINUTES * 60_000) } : {},
      });
      await this.audit.record(manager, {
        action: 'case.note_added',
        actor: officerActor(officer),
        target: { type: 'case', id: caseId },
        postCode: current.postCode,
      });
    });
  }

  async loadInScope(manager: EntityManager, officer: AuthenticatedOfficer, caseId: string): Promise<CaseRecord> {
    return findCaseInScope(manager, caseId, postScopeOf(officer));
  }

  private assertClaimHeld(current: CaseRecord, officer: AuthenticatedOfficer, now: Date): void {
    if (current.assignedOfficerId !== officer.id || !current.claimExpiresAt || current.claimExpiresAt <= now) {
      throw new DomainException(
        ReviewErrors.CLAIM_NOT_HELD,
        'You no longer hold this case: your claim expired or it was reassigned. Claim it again from the queue.',
      );
    }
  }

  private validate(input: DecisionInput): void {
    const errors: { field: string; messages: string[] }[] = [];
    if (!Number.isInteger(input.expectedVersion) || input.expectedVersion < 1) {
      errors.push({ field: 'expectedVersion', messages: ['The case version is missing. Reload the case.'] });
    }
    if (input.action === 'refuse' && !REFUSAL_REASONS.some((r) => r.code === input.reasonCode)) {
      errors.push({ field: 'reasonCode', messages: ['Choose a reason for refusal.'] });
    }
    if (input.text !== undefined && (typeof input.text !== 'string' || input.text.length > MAX_TEXT)) {
      errors.push({ field: 'text', messages: [`Use at most ${MAX_TEXT} characters.`] });
    }
    if (input.action === 'requestInfo') {
      if (!input.text?.trim()) errors.push({ field: 'text', messages: ['Say what information the applicant must send.'] });
      const deadline = /^\d{4}-\d{2}-\d{2}$/.test(input.deadline ?? '') ? new Date(`${input.deadline}T23:59:59Z`) : null;
      const today = this.clock.now();
      const latest = new Date(today.getTime() + MAX_DEADLINE_DAYS * 86_400_000);
      if (
        !deadline ||
        Number.isNaN(deadline.getTime()) ||
        deadline.toISOString().slice(0, 10) !== input.deadline ||
        deadline <= today ||
        deadline > latest
      ) {
        errors.push({ field: 'deadline', messages: [`Enter a real date within the next ${MAX_DEADLINE_DAYS} days.`] });
      }
    }
    if (errors.length) throw new ValidationException(errors);
  }
}

export function allowedActions(machine: StateMachine, status: string): DecisionAction[] {
  const decisions = machine.decisions;
  return (Object.keys(decisions) as DecisionAction[]).filter((action) => decisions[action]?.from.includes(status));
}

function caseActor(officer: AuthenticatedOfficer): { type: 'officer'; id: string } {
  return { type: 'officer', id: officer.id };
}
