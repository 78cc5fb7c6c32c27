import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CaseRecord, CaseDetailsSection, StatusDetailsPort } from '@app/cases';
import type { Locale, Translate } from '@app/platform';
import { AbtcService } from './abtc.service.js';
import { economyName } from './settings.js';

/**
 * The applicant's status page for an ABTC: the pre-clearance of each economy (name in the reader's
 * language, result in words) and, once issued, the card's validity. Never the passport, the
 * business details or the economies' notes.
 */
@Injectable()
export class AbtcStatusDetails implements StatusDetailsPort {
  constructor(private readonly applications: AbtcService) {}

  async details(input: { manager: EntityManager; caseRecord: CaseRecord; locale: Locale; t: Translate }): Promise<CaseDetailsSection[]> {
    const { manager, caseRecord, locale, t } = input;
    const [card] = (await manager.query(
      `SELECT valid_from::text AS valid_from, valid_until::text AS valid_until FROM abtc_application WHERE case_id = $1`,
      [caseRecord.id],
    )) as { valid_from: string | null; valid_until: string | null }[];
    if (!card) return [];
    const clearances = await this.applications.clearances(manager, caseRecord.id);
    const sections: CaseDetailsSection[] = [
      {
        heading: t('abtc.status.clearancesTitle'),
        columns: [t('abtc.status.economy'), t('abtc.status.result')],
        rows: clearances.map((c) => [economyName(c.economy, locale), t(`abtc.clearance.${c.status}`)]),
        emptyText: t('abtc.status.noClearances'),
      },
    ];
    if (caseRecord.status === 'ISSUED' && card.valid_from && card.valid_until) {
      sections.push({
        heading: t('abtc.status.cardTitle'),
        columns: [t('abtc.status.what'), t('abtc.status.value')],
        rows: [
          [t('abtc.field.validFrom'), card.valid_from],
          [t('abtc.field.validUntil'), card.valid_until],
          [
            t('abtc.status.cardEconomies'),
            clearances
              .filter((c) => c.status === 'APPROVED')
              .map((c) => economyName(c.economy, locale))
              .join(locale === 'zh-Hant' ? '、' : ', '),
          ],
        ],
      });
    }
    return sections;
  }
}
