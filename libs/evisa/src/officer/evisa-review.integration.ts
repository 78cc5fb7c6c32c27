import { Injectable } from '@nestjs/common';
import type { ReviewPort, WorkspaceExtras } from '@app/cases';
import type { Translate } from '@app/platform';
import { EvisaApplicationService } from '../application.service.js';
import { EvisaOfficerActions, type RefusalReason } from '../officer-actions.service.js';

const SHOWN_ANSWERS = [
  'surname',
  'givenNames',
  'nativeName',
  'sex',
  'dateOfBirth',
  'placeOfBirth',
  'nationality',
  'passportNumber',
  'passportType',
  'issuingAuthority',
  'passportIssueDate',
  'passportExpiryDate',
  'purpose',
  'arrivalDate',
  'portOfEntry',
  'stayAddress',
  'occupation',
] as const;

/** Answers chosen from a list, shown in words (`evisa.<field>.<code>`). */
const CODED_ANSWERS: ReadonlySet<string> = new Set(['sex', 'passportType', 'purpose']);

/**
 * Plugs the eVisa into the officers' review queue: its decisions (approval assigns a visa number
 * and queues the PDF), its answers in the case workspace, and the link to revoke an issued eVisa.
 */
@Injectable()
export class EvisaReviewIntegration implements ReviewPort {
  readonly decisions: ReviewPort['decisions'] = {
    approve: ({ manager, current, input, officer }) => this.actions.approve(manager, current.id, input.expectedVersion, officer),
    refuse: ({ manager, current, input, officer }) =>
      this.actions.refuse(
        manager,
        current.id,
        input.expectedVersion,
        officer,
        input.reasonCode as RefusalReason,
        input.text?.trim() || null,
      ),
    requestInfo: ({ manager, current, input, officer }) =>
      this.actions.requestInformation(
        manager,
        current.id,
        input.expectedVersion,
        officer,
        input.text ?? '',
        new Date(`${input.deadline}T23:59:59Z`),
      ),
  };

  constructor(
    private readonly actions: EvisaOfficerActions,
    private readonly applications: EvisaApplicationService,
  ) {}

  async workspace(caseId: string, status: string, t: Translate): Promise<WorkspaceExtras> {
    const view = await this.applications.view(caseId);
    const answers = view.answers as Record<string, unknown>;
    const details = SHOWN_ANSWERS.filter((field) => answers[field] !== null && answers[field] !== undefined && answers[field] !== '').map(
      (field) => ({
        labelKey: `evisa.field.${field}`,
        value: CODED_ANSWERS.has(field) ? t(`evisa.${field}.${String(answers[field])}`) : String(answers[field]),
      }),
    );
    details.push({
      labelKey: 'evisa.officer.mrzCheck',
      value: !view.mrz.given ? '—' : view.mrz.mismatches.length === 0 ? '✓' : view.mrz.mismatches.map((m) => m.field).join(', '),
    });
    // What the officers asked and what the applicant answered: the answer is what the next officer decides on.
    for (const exchange of await this.applications.informationExchanges(caseId)) {
      details.push(
        { labelKey: 'evisa.officer.infoRequested', value: exchange.message },
        { labelKey: 'evisa.officer.infoDeadline', value: exchange.deadline.toISOString().slice(0, 10) },
        { labelKey: 'evisa.officer.infoAnswer', value: exchange.answer ?? '—' },
      );
    }
    const links = status === 'ISSUED' ? [{ href: `/officer/evisa/${caseId}/revoke`, labelKey: 'evisa.officer.revokeLink' }] : [];
    return { details, links };
  }
}
