import { Injectable } from '@nestjs/common';
import { type CaseRecord, CaseSpine, type DecisionContext, OutboxWriter, type ReviewPort, type WorkspaceExtras } from '@app/cases';
import { type Translate, ValidationException } from '@app/platform';
import { DecisionService, InformationRequests } from '@app/review';
import { LEGALISATION_JOBS } from '../legalisation.jobs.js';
import { legalisationMachine } from '../legalisation.machine.js';
import { LegalisationService } from '../legalisation.service.js';

/** Statuses in which the documents are authenticated and still to be handed over or posted. */
export const FULFILMENT_STATUSES = ['AUTHENTICATED', 'READY_FOR_PICKUP', 'MAILED'];

/**
 * Plugs document authentication into the officers' review queue: approval assigns the certificate
 * number and issue date; a refusal needs its reason in words and gives its appointment place back
 * to others; a request for information is kept
 * for the applicant to answer. The workspace shows the items, options, appointment and fee.
 */
@Injectable()
export class LegalisationReviewIntegration implements ReviewPort {
  readonly decisions: ReviewPort['decisions'] = {
    approve: (context) => this.approve(context),
    refuse: async (context) => {
      if (!context.input.text?.trim()) {
        throw new ValidationException([{ field: 'text', messages: ['Explain the refusal to the applicant.'] }]);
      }
      const decided = await this.decisionService.applyStatusDecision(context);
      await this.requests.releaseAppointment(context.manager, context.current.id, context.now);
      return decided;
    },
    requestInfo: async (context) => {
      const decided = await this.decisionService.applyStatusDecision(context);
      await this.informationRequests.record(context.manager, context.current.id, context.input.text!.trim(), context.input.deadline!);
      return decided;
    },
  };

  constructor(
    private readonly decisionService: DecisionService,
    private readonly informationRequests: InformationRequests,
    private readonly requests: LegalisationService,
    private readonly spine: CaseSpine,
    private readonly outbox: OutboxWriter,
  ) {}

  /** IN_REVIEW → AUTHENTICATED: the next certificate number of the issue year, the issue date at the post; queues the certificate PDF. */
  private async approve({ manager, current, input, officer, now }: DecisionContext): Promise<CaseRecord> {
    const view = await this.requests.view(current.id, manager);
    if (!view) throw new Error(`legalisation case ${current.id} has no request`);
    const authenticatedOn = this.requests.localDate(view.post.timeZone, now);
    const [{ seq }] = (await manager.query(`SELECT nextval('legalisation_certificate_seq')::text AS seq`)) as [{ seq: string }];
    const certificateNumber = `TWA-${authenticatedOn.slice(0, 4)}-${seq.padStart(6, '0')}`;
    const { case: approved } = await this.spine.transition(manager, {
      machine: legalisationMachine,
      caseId: current.id,
      expectedVersion: input.expectedVersion,
      current,
      to: 'AUTHENTICATED',
      actor: { type: 'officer', id: officer.id },
      type: 'legalisation.authenticated',
      visibility: 'applicant',
      payload: { certificateNumber, authenticatedOn },
      set: { decidedAt: now, assignedOfficerId: null, claimExpiresAt: null },
    });
    await manager.query(`UPDATE legalisation_request SET certificate_number = $2, authenticated_on = $3 WHERE case_id = $1`, [
      current.id,
      certificateNumber,
      authenticatedOn,
    ]);
    await this.outbox.add(manager, LEGALISATION_JOBS.RenderCertificate, { caseId: current.id }, { caseId: current.id });
    return approved;
  }

  async workspace(caseId: string, status: string, t: Translate): Promise<WorkspaceExtras> {
    const view = await this.requests.view(caseId);
    if (!view) return { details: [], links: [] };
    const details = [
      { labelKey: 'legalisation.field.direction', value: t(`legalisation.direction.${view.direction}`) },
      { labelKey: 'legalisation.field.serviceLevel', value: t(`legalisation.serviceLevel.${view.serviceLevel}`) },
      { labelKey: 'legalisation.field.delivery', value: t(`legalisation.delivery.${view.delivery}`) },
      ...(view.mailingAddress ? [{ labelKey: 'legalisation.field.mailingAddress', value: view.mailingAddress }] : []),
      {
        labelKey: 'legalisation.field.appointment',
        value: `${view.appointment.localDate} ${view.appointment.localTime} (${view.post.code})`,
      },
      { labelKey: 'legalisation.field.fee', value: `TWD ${view.feeTwd}` },
      ...view.items.map((item, index) => ({
        labelKey: 'legalisation.officer.item',
        value: `${index + 1}. ${t(`legalisation.documentType.${item.documentType}`)}, ${item.issuingCountry}: ${item.originals} + ${item.extraCopies} — ${item.description}`,
      })),
      ...(view.certificateNumber
        ? [{ labelKey: 'legalisation.field.certificateNumber', value: `${view.certificateNumber} (${view.authenticatedOn})` }]
        : []),
    ];
    for (const exchange of view.informationRequests) {
      details.push(
        { labelKey: 'legalisation.officer.infoRequested', value: exchange.message ?? '—' },
        { labelKey: 'legalisation.officer.infoDeadline', value: exchange.deadline },
        { labelKey: 'legalisation.officer.infoAnswer', value: exchange.answer ?? '—' },
      );
    }
    const links = FULFILMENT_STATUSES.includes(status)
      ? [{ href: `/officer/legalisation/${caseId}`, labelKey: 'legalisation.officer.fulfilmentLink' }]
      : [];
    return { details, links };
  }
}
