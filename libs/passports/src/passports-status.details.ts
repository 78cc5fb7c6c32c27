import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CaseRecord, CaseDetailsSection, StatusDetailsPort } from '@app/cases';
import type { Locale, Translate } from '@app/platform';
import { PassportService } from './passports.service.js';

const day = (at: Date | null) => (at ? new Date(at).toISOString().slice(0, 10) : null);

/**
 * The applicant's status page for a passport: the kind, the collecting post, validity and fee, when
 * it was dispatched and ready, and an open request for information with where to answer. Never an
 * identifier (national ID, passport numbers, police report) or the photo.
 */
@Injectable()
export class PassportStatusDetails implements StatusDetailsPort {
  constructor(private readonly passports: PassportService) {}

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
    const view = await this.passports.view(caseRecord.id, manager);
    if (!view) return [];
    const dispatched = day(view.dispatchedAt);
    const ready = day(view.readyAt);
    const rows = [
      [t('passports.field.kind'), t(`passports.kind.${view.kind}`)],
      [t('passports.field.post'), locale === 'zh-Hant' ? view.post.nameZh : view.post.nameEn],
      [t('passports.field.validity'), t('passports.validityYears', { years: view.fee.validityYears })],
      [t('passports.field.fee'), t('passports.feeAmount', { amount: view.fee.amount, currency: view.fee.currency })],
      ...(dispatched ? [[t('passports.status.dispatchedOn'), dispatched]] : []),
      ...(ready ? [[t('passports.status.readyOn'), ready]] : []),
    ];
    const sections: CaseDetailsSection[] = [
      { heading: t('passports.status.heading'), columns: [t('passports.status.what'), t('passports.status.value')], rows },
    ];
    const open = view.informationRequests.filter((request) => !request.answeredAt).at(-1);
    if (caseRecord.status === 'INFO_REQUESTED' && open) {
      sections.push({
        heading: t('passports.status.infoRequested'),
        columns: [t('passports.status.what'), t('passports.status.value')],
        rows: [
          [t('passports.officer.infoRequested'), open.message ?? ''],
          [t('passports.officer.infoDeadline'), open.deadline],
          [t('passports.status.howToAnswer'), t('passports.status.answerAt')],
        ],
      });
    }
    return sections;
  }
}
