import { Injectable } from '@nestjs/common';
import type { ShareableDocumentInput, ShareableDocumentPort, SharedDocumentView } from '@app/cases';
import { genericPublicView } from '@app/status';
import { EvisaVerificationService } from './evisa-verification.service.js';

/**
 * What a third party with a share code sees of an eVisa: exactly what the register shows (name,
 * nationality, visa number, validity, entries, stay) and whether it stands — never date of birth,
 * passport number, contact details or photo.
 */
@Injectable()
export class EvisaShareProvider implements ShareableDocumentPort {
  constructor(private readonly verification: EvisaVerificationService) {}

  async publicView(input: ShareableDocumentInput): Promise<SharedDocumentView> {
    const { caseRecord, t } = input;
    const answer = await this.verification.byCase(caseRecord.id);
    const evisa = answer.evisa;
    // A case the register does not hold shows only what any document shows: service, reference, status.
    if (!evisa) return genericPublicView(input, caseRecord.status === 'ISSUED');
    return {
      title: t('evisa.share.title'),
      valid: answer.result === 'valid',
      validFrom: new Date(`${evisa.validFrom}T00:00:00Z`),
      validUntil: new Date(`${evisa.validUntil}T00:00:00Z`),
      fields: [
        { label: t('evisa.share.result'), value: t(`evisa.share.result.${answer.result}`) },
        { label: t('evisa.share.name'), value: `${evisa.surname}, ${evisa.givenNames}`.replace(/, $/, '') },
        { label: t('evisa.share.nationality'), value: evisa.nationality },
        { label: t('evisa.share.visaNumber'), value: evisa.visaNumber },
        { label: t('evisa.share.entries'), value: evisa.entries },
        { label: t('evisa.share.stay'), value: t('evisa.share.stayDays', { days: evisa.stayDays }) },
      ],
    };
  }
}
