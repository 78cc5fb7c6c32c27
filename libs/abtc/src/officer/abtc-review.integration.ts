import { Injectable } from '@nestjs/common';
import { type CaseRecord, CaseSpine, type DecisionContext, type ReviewPort, type WorkspaceExtras } from '@app/cases';
import { ValidationException } from '@app/platform';
import { DecisionService } from '@app/review';
import { abtcMachine } from '../abtc.machine.js';
import { AbtcService, type ClearanceStatus } from '../abtc.service.js';

/** Clearance statuses in words for the workspace (officers' pages show codes only where there are no words). */
const CLEARANCE_WORDS: Record<ClearanceStatus, string> = {
  PENDING: 'waiting for an answer',
  APPROVED: 'approved',
  REFUSED: 'refused',
  NOT_APPLICABLE: 'not applicable (transitional member)',
};

const SEX_WORDS: Record<string, string> = { F: 'female', M: 'male', X: 'unspecified' };

/**
 * Plugs the ABTC into the officers' review queue, which does the home check: approval sends the
 * application to every other economy (one clearance each, N/A for transitional members); a refusal
 * needs its reason in words. The workspace shows the application and the clearance table.
 */
@Injectable()
export class AbtcReviewIntegration implements ReviewPort {
  readonly decisions: ReviewPort['decisions'] = {
    approve: (context) => this.approve(context),
    refuse: (context) => {
      if (!context.input.text?.trim()) {
        throw new ValidationException([{ field: 'text', messages: ['Explain the refusal to the applicant.'] }]);
      }
      return this.decisionService.applyStatusDecision(context);
    },
  };

  constructor(
    private readonly decisionService: DecisionService,
    private readonly applications: AbtcService,
    private readonly spine: CaseSpine,
  ) {}

  /** DOMESTIC_REVIEW → PRE_CLEARANCE: the claim ends (the officer page takes over) and the clearances open. */
  private async approve({ manager, current, input, officer, now }: DecisionContext): Promise<CaseRecord> {
    const { case: approved } = await this.spine.transition(manager, {
      machine: abtcMachine,
      caseId: current.id,
      expectedVersion: input.expectedVersion,
      current,
      to: 'PRE_CLEARANCE',
      actor: { type: 'officer', id: officer.id },
      type: 'abtc.home_check_passed',
      visibility: 'applicant',
      set: { assignedOfficerId: null, claimExpiresAt: null, decidedAt: now },
    });
    await this.applications.openClearances(manager, current.id);
    return approved;
  }

  async workspace(caseId: string): Promise<WorkspaceExtras> {
    const view = await this.applications.view(caseId);
    if (!view) return { details: [], links: [] };
    const details = [
      { labelKey: 'abtc.field.name', value: `${view.givenNames ?? '—'} ${view.surname ?? ''}`.trim() },
      { labelKey: 'abtc.field.dateOfBirth', value: view.dateOfBirth ?? '—' },
      { labelKey: 'abtc.field.sex', value: SEX_WORDS[view.sex] ?? view.sex },
      { labelKey: 'abtc.field.nationality', value: view.nationality },
      { labelKey: 'abtc.field.passportNumber', value: view.passportNumber ?? '—' },
      { labelKey: 'abtc.field.passportExpiry', value: view.passportExpiry },
      { labelKey: 'abtc.field.companyName', value: view.companyName ?? '—' },
      { labelKey: 'abtc.field.jobTitle', value: view.jobTitle ?? '—' },
      { labelKey: 'abtc.field.businessReason', value: view.businessReason ?? '—' },
      ...view.clearances.map((c) => ({
        labelKey: 'abtc.officer.clearanceRow',
        value: `${c.economy.name}: ${CLEARANCE_WORDS[c.status]}${c.note ? ` (${c.note})` : ''}`,
      })),
      ...(view.cardNumber
        ? [{ labelKey: 'abtc.field.cardNumber', value: `${view.cardNumber}, ${view.validFrom} – ${view.validUntil}` }]
        : []),
    ];
    const links = view.clearances.length ? [{ href: `/officer/abtc/${caseId}`, labelKey: 'abtc.officer.clearanceLink' }] : [];
    return { details, links };
  }
}
