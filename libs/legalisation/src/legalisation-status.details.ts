import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CaseRecord, CaseDetailsSection, StatusDetailsPort } from '@app/cases';
import type { Locale, Translate } from '@app/platform';
import { LegalisationService } from './legalisation.service.js';

/** Statuses in which the certificate exists. */
const CERTIFIED = ['AUTHENTICATED', 'READY_FOR_PICKUP', 'MAILED', 'COMPLETED'];

/**
 * The applicant's status page for a request: the documents, the appointment and delivery, what an
 * officer asked (with where to answer), and the certificate number once authenticated. Never the
 * mailing address or officers' notes.
 */
@Injectable()
export class LegalisationStatusDetails implements StatusDetailsPort {
  constructor(private readonly requests: LegalisationService) {}

  async details({
    manager,
    caseRecord,
    locale,
    t,
  }: {
    manager: EntityManager;
    caseRecord: CaseRecord;
    locale: Locale;
    t: Translate;
  }): Promise<CaseDetailsSection[]> {
    const view = await this.requests.view(caseRecord.id, manager);
    if (!view) return [];
    const postName = locale === 'zh-Hant' ? view.post.nameZh : view.post.nameEn;
    const sections: CaseDetailsSection[] = [
      {
        heading: t('legalisation.status.documents'),
        columns: [
          t('legalisation.field.documentType'),
          t('legalisation.field.issuingCountry'),
          t('legalisation.field.originals'),
          t('legalisation.field.extraCopies'),
        ],
        rows: view.items.map((item) => [
          t(`legalisation.documentType.${item.documentType}`),
          item.issuingCountry,
          String(item.originals),
          String(item.extraCopies),
        ]),
      },
      {
        heading: t('legalisation.status.request'),
        columns: [t('legalisation.status.what'), t('legalisation.status.value')],
        rows: [
          [t('legalisation.field.appointment'), `${view.appointment.localDate} ${view.appointment.localTime}, ${postName}`],
          [t('legalisation.field.serviceLevel'), t(`legalisation.serviceLevel.${view.serviceLevel}`)],
          [t('legalisation.field.delivery'), t(`legalisation.delivery.${view.delivery}`)],
          [t('legalisation.field.fee'), t('legalisation.feeAmount', { amount: view.feeTwd })],
          ...(CERTIFIED.includes(caseRecord.status) && view.certificateNumber
            ? [
                [t('legalisation.field.certificateNumber'), view.certificateNumber],
                [t('legalisation.verify.issuedOn'), view.authenticatedOn ?? ''],
              ]
            : []),
        ],
      },
    ];
    const open = view.informationRequests.filter((request) => !request.answeredAt).at(-1);
    if (caseRecord.status === 'INFO_REQUESTED' && open) {
      sections.push({
        heading: t('legalisation.status.infoRequested'),
        columns: [t('legalisation.status.what'), t('legalisation.status.value')],
        rows: [
          [t('legalisation.officer.infoRequested'), open.message ?? ''],
          [t('legalisation.officer.infoDeadline'), open.deadline],
          [t('legalisation.status.howToAnswer'), t('legalisation.status.answerAt')],
        ],
      });
    }
    return sections;
  }
}
