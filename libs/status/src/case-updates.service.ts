import { Injectable } from '@nestjs/common';
import { NotificationPreferences } from '@app/notifications';
import { CaseAccess } from './case-access.js';

/** The applicant's choice of progress updates by email, from their case page or an unsubscribe link. */
@Injectable()
export class CaseUpdatesService {
  constructor(
    private readonly access: CaseAccess,
    private readonly preferences: NotificationPreferences,
  ) {}

  async choose(accessToken: unknown, progressUpdates: boolean): Promise<string> {
    const caseId = this.access.caseIdFromAccess(accessToken);
    await this.preferences.setProgressUpdates(caseId, progressUpdates);
    return caseId;
  }

  /** Checks an unsubscribe link without acting on it (mail scanners open links: only the POST acts). */
  checkUnsubscribeLink(token: unknown): string {
    return this.access.caseIdFromUnsubscribeLink(token);
  }

  async unsubscribe(token: unknown): Promise<string> {
    const caseId = this.access.caseIdFromUnsubscribeLink(token);
    await this.preferences.setProgressUpdates(caseId, false);
    return caseId;
  }
}
