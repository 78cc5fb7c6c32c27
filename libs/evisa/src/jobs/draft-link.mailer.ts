import { Injectable, Logger } from '@nestjs/common';
import type { Locale } from '@app/platform';

export interface DraftResumeMessage {
  caseId: string;
  to: string;
  locale: Locale;
  /** The signed resume link; it grants access to the draft, so it is never logged. */
  link: string;
  expiresAt: Date;
}

/**
 * How a draft's resume link reaches the applicant. The notifications library provides the SMTP
 * implementation; until it is bound, the default below only records that a link was issued.
 */
export abstract class DraftLinkMailer {
  abstract sendResumeLink(message: DraftResumeMessage): Promise<void>;
}

/** Writes one log line with the case id only: no address, no link. Sends nothing. */
@Injectable()
export class LoggingDraftLinkMailer extends DraftLinkMailer {
  private readonly logger = new Logger('DraftLinkMailer');

  async sendResumeLink(message: DraftResumeMessage): Promise<void> {
    this.logger.log(`resume link issued for case ${message.caseId} (no mail transport bound: nothing sent)`);
  }
}
