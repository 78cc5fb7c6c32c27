import { Injectable } from '@nestjs/common';
import type { ReviewPort, WorkspaceExtras } from '@app/cases';
import type { Translate } from '@app/platform';
import { DecisionService, InformationRequests } from '@app/review';
import { PassportService } from '../passports.service.js';
import { FULFILMENT_STATUSES } from './passport-fulfilment.service.js';

/**
 * Plugs passports into the officers' review queue. Approval and refusal are the queue's own status
 * decisions (a refusal's reason goes to the applicant with the event); a request for information is
 * kept for the applicant to answer at `/passport/respond`. The workspace shows the application in
 * words, a link to the photo, and the fulfilment page once approved.
 */
@Injectable()
export class PassportReviewIntegration implements ReviewPort {
  readonly decisions: ReviewPort['decisions'] = {
    requestInfo: async (context) => {
      const decided = await this.decisionService.applyStatusDecision(context);
      await this.informationRequests.record(context.manager, context.current.id, context.input.text!.trim(), context.input.deadline!);
      return decided;
    },
  };

  constructor(
    private readonly decisionService: DecisionService,
    private readonly informationRequests: InformationRequests,
    private readonly passports: PassportService,
  ) {}

  async workspace(caseId: string, status: string, t: Translate): Promise<WorkspaceExtras> {
    const view = await this.passports.view(caseId);
    if (!view) return { details: [], links: [] };
    const details = [
      { labelKey: 'passports.field.kind', value: t(`passports.kind.${view.kind}`) },
      { labelKey: 'passports.field.name', value: `${view.surname ?? ''}, ${view.givenNames ?? ''}` },
      ...(view.chineseName ? [{ labelKey: 'passports.field.chineseName', value: view.chineseName }] : []),
      { labelKey: 'passports.field.sex', value: view.sex ? t(`passports.sex.${view.sex}`) : '' },
      { labelKey: 'passports.field.dateOfBirth', value: view.dateOfBirth ?? '' },
      { labelKey: 'passports.field.placeOfBirth', value: view.placeOfBirth ?? '' },
      ...(view.nationalId ? [{ labelKey: 'passports.field.nationalId', value: view.nationalId }] : []),
      ...(view.previousPassportNumber ? [{ labelKey: 'passports.field.previousPassportNumber', value: view.previousPassportNumber }] : []),
      ...(view.policeReportReference ? [{ labelKey: 'passports.field.policeReportReference', value: view.policeReportReference }] : []),
      { labelKey: 'passports.field.post', value: view.post.code },
      { labelKey: 'passports.field.validity', value: t('passports.validityYears', { years: view.fee.validityYears }) },
      { labelKey: 'passports.field.fee', value: `${view.fee.currency} ${view.fee.amount}` },
      ...(view.passportNumber ? [{ labelKey: 'passports.field.passportNumber', value: view.passportNumber }] : []),
    ];
    for (const exchange of view.informationRequests) {
      details.push(
        { labelKey: 'passports.officer.infoRequested', value: exchange.message ?? '—' },
        { labelKey: 'passports.officer.infoDeadline', value: exchange.deadline },
        { labelKey: 'passports.officer.infoAnswer', value: exchange.answer ?? '—' },
      );
    }
    const links = [
      ...(view.photoFileId ? [{ href: `/officer/passports/${caseId}/photo`, labelKey: 'passports.officer.photoLink' }] : []),
      ...(FULFILMENT_STATUSES.includes(status)
        ? [{ href: `/officer/passports/${caseId}`, labelKey: 'passports.officer.fulfilmentLink' }]
        : []),
    ];
    return { details, links };
  }
}
