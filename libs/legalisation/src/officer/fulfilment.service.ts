import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog, officerActor } from '@app/audit';
import { type CaseRecord, CaseSpine } from '@app/cases';
import { findCaseInScope } from '@app/identity';
import { type AuthenticatedOfficer, DomainException, postScopeOf, ValidationException } from '@app/platform';
import { LegalisationErrors } from '../errors.js';
import { legalisationMachine } from '../legalisation.machine.js';

/**
 * After authentication: the documents are made ready at the post or posted, by the delivery the
 * applicant chose, then the request is completed. Post-scoped like the review workspace; the
 * version the officer saw is checked (409 when stale).
 */
@Injectable()
export class FulfilmentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly audit: AuditLog,
  ) {}

  async load(officer: AuthenticatedOfficer, caseId: string): Promise<{ current: CaseRecord; delivery: string }> {
    const current = await findCaseInScope(this.dataSource.manager, caseId, postScopeOf(officer));
    return { current, delivery: await this.deliveryOf(current) };
  }

  /** AUTHENTICATED → READY_FOR_PICKUP (pickup at the post) or MAILED (by mail). */
  dispatch(officer: AuthenticatedOfficer, caseId: string, expectedVersion: unknown): Promise<CaseRecord> {
    return this.move(officer, caseId, expectedVersion, 'dispatch');
  }

  /** READY_FOR_PICKUP or MAILED → COMPLETED. */
  complete(officer: AuthenticatedOfficer, caseId: string, expectedVersion: unknown): Promise<CaseRecord> {
    return this.move(officer, caseId, expectedVersion, 'complete');
  }

  private async move(officer: AuthenticatedOfficer, caseId: string, version: unknown, step: 'dispatch' | 'complete') {
    return this.dataSource.transaction(async (manager) => {
      const current = await findCaseInScope(manager, caseId, postScopeOf(officer), true);
      if (current.service !== 'legalisation') throw new DomainException(LegalisationErrors.LEGALISATION_NOT_FOUND, 'No such request.');
      const expectedVersion = versionOf(version);
      this.spine.assertVersion(current, expectedVersion);
      const delivery = await this.deliveryOf(current);
      const to = step === 'complete' ? 'COMPLETED' : delivery === 'mail' ? 'MAILED' : 'READY_FOR_PICKUP';
      const from = step === 'complete' ? ['READY_FOR_PICKUP', 'MAILED'] : ['AUTHENTICATED'];
      if (!from.includes(current.status)) {
        throw new DomainException(
          LegalisationErrors.FULFILMENT_NOT_ALLOWED,
          `This request is ${current.status}; it cannot move to ${to} now.`,
          {
            status: current.status,
          },
        );
      }
      const { case: moved } = await this.spine.transition(manager, {
        machine: legalisationMachine,
        caseId,
        expectedVersion,
        current,
        to,
        actor: { type: 'officer', id: officer.id },
        type: `legalisation.${to.toLowerCase()}`,
        visibility: 'applicant',
      });
      await this.audit.record(manager, {
        action: `legalisation.${step}`,
        actor: officerActor(officer),
        target: { type: 'case', id: caseId },
        postCode: current.postCode,
        details: { from: current.status, to },
      });
      return moved;
    });
  }

  private async deliveryOf(current: CaseRecord): Promise<string> {
    const [row] = (await this.dataSource.query(`SELECT delivery FROM legalisation_request WHERE case_id = $1`, [current.id])) as {
      delivery: string;
    }[];
    if (!row) throw new DomainException(LegalisationErrors.LEGALISATION_NOT_FOUND, 'No such request.');
    return row.delivery;
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
