import { Inject, Injectable } from '@nestjs/common';
import { EmailSender, mailDomainOf } from '@app/notifications';
import { APP_CONFIG, type AppConfig, type Locale, Messages } from '@app/platform';

export interface DraftResumeMessage {
  caseId: string;
  to: string;
  locale: Locale;
  /** The signed resume link; it grants access to the draft, so it is never logged. */
  link: string;
  expiresAt: Date;
}

/** How a draft's resume link reaches the applicant. */
export abstract class DraftLinkMailer {
  abstract sendResumeLink(message: DraftResumeMessage): Promise<void>;
}

/**
 * Sends the resume link through the notifications library's email channel, in the applicant's
 * language. The Message-ID is fixed per case and link expiry, so a retried job is recognisable.
 */
@Injectable()
export class SmtpDraftLinkMailer extends DraftLinkMailer {
  constructor(
    private readonly email: EmailSender,
    private readonly messages: Messages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async sendResumeLink(message: DraftResumeMessage): Promise<void> {
    const t = this.messages.translator(message.locale);
    const until = new Intl.DateTimeFormat(message.locale === 'zh-Hant' ? 'zh-TW' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(
      message.expiresAt,
    );
    const text = [
      t('evisa.mail.resume.greeting'),
      '',
      t('evisa.mail.resume.body', { until }),
      '',
      message.link,
      '',
      t('evisa.mail.resume.ignore'),
    ].join('\n');
    const html = `<p>${escapeHtml(t('evisa.mail.resume.greeting'))}</p><p>${escapeHtml(t('evisa.mail.resume.body', { until }))}</p><p><a href="${escapeHtml(message.link)}">${escapeHtml(t('evisa.mail.resume.button'))}</a></p><p>${escapeHtml(t('evisa.mail.resume.ignore'))}</p>`;
    await this.email.send({
      to: message.to,
      subject: t('evisa.mail.resume.subject'),
      text,
      html,
      messageId: `draft-${message.caseId}-${message.expiresAt.getTime()}@${mailDomainOf(this.config.mail.from)}`,
    });
  }
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
