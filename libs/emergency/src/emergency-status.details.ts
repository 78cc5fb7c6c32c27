import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CaseRecord, CaseDetailsSection, StatusDetailsPort } from '@app/cases';
import type { Locale, Translate } from '@app/platform';
import { EmergencyService } from './emergency.service.js';

/** The status page of an emergency case: the updates officers chose to share with the reporter, never internal notes. */
@Injectable()
export class EmergencyStatusDetails implements StatusDetailsPort {
  constructor(private readonly emergencies: EmergencyService) {}

  async details(input: { manager: EntityManager; caseRecord: CaseRecord; locale: Locale; t: Translate }): Promise<CaseDetailsSection[]> {
    const [post] = (await input.manager.query(`SELECT time_zone FROM post WHERE code = $1`, [input.caseRecord.postCode])) as {
      time_zone: string;
    }[];
    const format = new Intl.DateTimeFormat(input.locale === 'zh-Hant' ? 'zh-TW' : 'en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: post?.time_zone ?? 'UTC',
    });
    const updates = await this.emergencies.sharedUpdates(input.manager, input.caseRecord.id);
    return [
      {
        heading: input.t('emergency.status.updatesTitle'),
        columns: [input.t('emergency.status.date'), input.t('emergency.status.update')],
        rows: updates.map((u) => [format.format(u.at), u.text]),
        emptyText: input.t('emergency.status.noUpdates'),
      },
    ];
  }
}
