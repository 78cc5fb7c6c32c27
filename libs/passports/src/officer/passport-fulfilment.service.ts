import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog, officerActor } from '@app/audit';
import { type CaseRecord, CaseSpine } from '@app/cases';
import { findCaseInScope } from '@app/identity';
import { type AuthenticatedOfficer, Clock, DomainException, type FieldError, postScopeOf, ValidationException } from '@app/platform';
import { PassportErrors } from '../errors.js';
import { PassportService } from '../passports.service.js';
import { PASSPORT_NUMBER, text } from '../validation.js';
import { passportMachine } from '../passport.machine.js';

/** The steps after approval, who takes them and from which status. */
export const FULFILMENT_STEPS = {
  print: { from: 'APPROVED', to: 'PRINTING', office: 'hq' },
  dispatch: { from: 'PRINTING', to: 'DISPATCHED', office: 'hq' },
  ready: { from: 'DISPATCHED', to: 'READY_FOR_PICKUP', office: 'collecting-post' },
  collect: { from: 'READY_FOR_PICKUP', to: 'COLLECTED', office: 'collecting-post' },
} as const;
export type FulfilmentStep = keyof typeof FULFILMENT_STEPS;

/** Statuses in which the fulfilment page has something to do. */
export const FULFILMENT_STATUSES: readonly string[] = Object.values(FULFILMENT_STEPS).map((step) => step.from);

/**
 * After approval: HQ prints the chip passport (assigning its unique 9-character number) and ships it
 * to the collecting post; that post's officers mark it ready and hand it over, confirming the
 * holder's identity. Post-scoped like the review workspace (another post's officer gets 404), the
 * office is checked (403), and the version the officer saw (409 when stale).
 */
@Injectable()
export class PassportFulfilmentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly passports: PassportService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async load(officer: AuthenticatedOfficer, caseId: string): Promise<{ current: CaseRecord; atHq: boolean }> {
    const current = await findCaseInScope(this.dataSource.manager, caseId, postScopeOf(officer));
    if (current.service !== 'passport') throw notFound();
    return { current, atHq: await this.isHq(this.dataSource.manager, officer) };
  }

  async move(officer: AuthenticatedOfficer, caseId: string, step: FulfilmentStep, body: Record<string, unknown>): Promise<CaseRecord> {
    return this.dataSource.transaction(async (manager) => {
      const current = await findCaseInScope(manager, caseId, postScopeOf(officer), true);
      if (current.service !== 'passport') throw notFound();
      const input = parse(step, body);
      const rule = FULFILMENT_STEPS[step];
      const allowed = rule.office === 'hq' ? await this.isHq(manager, officer) : officer.postCode === current.postCode;
      if (!allowed) {
        throw new DomainException(
          PassportErrors.PASSPORT_WRONG_OFFICE,
          rule.office === 'hq' ? 'Only HQ prints and dispatches passports.' : 'Only the collecting post hands the passport over.',
        );
      }
      this.spine.assertVersion(current, input.expectedVersion);
      if (current.status !== rule.from) {
        throw new DomainException(
          PassportErrors.PASSPORT_STEP_NOT_ALLOWED,
          `This application is ${current.status}; it cannot move to ${rule.to} now.`,
          {
            status: current.status,
          },
        );
      }
      const [row] = (await manager.query(`SELECT case_id FROM passport_application WHERE case_id = $1 FOR UPDATE`, [caseId])) as unknown[];
      if (!row) throw notFound();
      const now = this.clock.now();
      if (step === 'print') await this.assignNumber(manager, caseId, input.passportNumber!, now);
      if (step === 'dispatch') {
        await manager.query(`UPDATE passport_application SET dispatch_tracking = $2, dispatched_at = $3 WHERE case_id = $1`, [
          caseId,
          input.tracking,
          now,
        ]);
      }
      if (step === 'ready') await manager.query(`UPDATE passport_application SET ready_at = $2 WHERE case_id = $1`, [caseId, now]);
      if (step === 'collect') await manager.query(`UPDATE passport_application SET collected_at = $2 WHERE case_id = $1`, [caseId, now]);
      const { case: moved } = await this.spine.transition(manager, {
        machine: passportMachine,
        caseId,
        expectedVersion: input.expectedVersion,
        current,
        to: rule.to,
        actor: { type: 'officer', id: officer.id },
        type: `passport.${rule.to.toLowerCase()}`,
        visibility: 'applicant',
      });
      await this.audit.record(manager, {
        action: `passport.${step}`,
        actor: officerActor(officer),
        target: { type: 'case', id: caseId },
        postCode: current.postCode,
        details: { from: current.status, to: rule.to },
      });
      return moved;
    });
  }

  /** The number is unique through its blind index (a UNIQUE column): a number already given is refused. */
  private async assignNumber(manager: EntityManager, caseId: string, passportNumber: string, now: Date): Promise<void> {
    const index = this.passports.passportNumberIndex(passportNumber);
    const [taken] = (await manager.query(`SELECT 1 FROM passport_application WHERE passport_number_index = $1`, [index])) as unknown[];
    if (taken) throw numberTaken();
    try {
      await manager.query(
        `UPDATE passport_application SET passport_number = $2, passport_number_index = $3, printed_at = $4 WHERE case_id = $1`,
        [caseId, this.passports.seal(caseId, 'passport_number', passportNumber), index, now],
      );
    } catch (error) {
      if ((error as { constraint?: string }).constraint === 'passport_application_passport_number_index_key') throw numberTaken();
      throw error;
    }
  }

  private async isHq(manager: EntityManager, officer: AuthenticatedOfficer): Promise<boolean> {
    const [row] = (await manager.query(`SELECT kind FROM post WHERE code = $1`, [officer.postCode])) as { kind: string }[];
    return row?.kind === 'hq';
  }
}

function notFound(): DomainException {
  return new DomainException(PassportErrors.PASSPORT_NOT_FOUND, 'No such passport application.');
}

function numberTaken(): DomainException {
  return new DomainException(PassportErrors.PASSPORT_NUMBER_TAKEN, 'This passport number has already been given to another passport.');
}

/** What a step's form or JSON body must carry: the version always, the passport number to print, tracking to dispatch, the identity check to hand over. */
function parse(
  step: FulfilmentStep,
  body: Record<string, unknown>,
): { expectedVersion: number; passportNumber?: string; tracking?: string } {
  const errors: FieldError[] = [];
  const raw = body.expectedVersion;
  const expectedVersion = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : typeof raw === 'number' ? raw : NaN;
  if (!Number.isInteger(expectedVersion) || expectedVersion < 1) {
    errors.push({ field: 'expectedVersion', messages: ['The case version is missing. Reload the page.'] });
  }
  const passportNumber = text(body.passportNumber).toUpperCase();
  const tracking = text(body.tracking);
  if (step === 'print' && !PASSPORT_NUMBER.test(passportNumber)) {
    errors.push({ field: 'passportNumber', messages: ['Enter the passport number: 9 letters and digits.'] });
  }
  if (step === 'dispatch' && (!tracking || tracking.length > 60)) {
    errors.push({ field: 'tracking', messages: ['Enter the shipment tracking number (at most 60 characters).'] });
  }
  if (step === 'collect' && text(body.identityConfirmed) !== 'yes') {
    errors.push({ field: 'identityConfirmed', messages: ['Confirm that you checked the holder’s identity.'] });
  }
  if (errors.length) throw new ValidationException(errors);
  return { expectedVersion, passportNumber, tracking };
}
