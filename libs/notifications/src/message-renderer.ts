import { Injectable } from '@nestjs/common';
import nunjucks from 'nunjucks';
import path from 'node:path';
import { type Locale, Messages, projectRoot } from '@app/platform';
import { describeEvent, describeStatus, type EventFacts } from './case-status-words.js';

export interface MessageInput {
  locale: Locale;
  reference: string;
  service: string;
  /** The events this message tells about, in order (one, or several for a digest). */
  events: (EventFacts & { createdAt: Date })[];
  /** The case's status when no listed event changed it. */
  caseStatus: string;
  timeZone: string;
  essential: boolean;
  viewUrl: string;
  statusUrl: string;
  unsubscribeUrl: string | null;
}

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
  sms: string;
}

/**
 * Renders applicant messages from `libs/notifications/templates` (not `views/`: emails are not
 * web pages and need inline styles). Only the reference, statuses in plain words, what happens
 * next and signed links go in: never an identifier, a date of birth or a file.
 */
@Injectable()
export class MessageRenderer {
  private readonly html: nunjucks.Environment;
  private readonly plain: nunjucks.Environment;

  constructor(private readonly messages: Messages) {
    const loader = () => new nunjucks.FileSystemLoader(path.join(projectRoot(), 'libs/notifications/templates'), { noCache: false });
    this.html = new nunjucks.Environment(loader(), { autoescape: true, throwOnUndefined: true });
    this.plain = new nunjucks.Environment(loader(), { autoescape: false, throwOnUndefined: true });
  }

  render(input: MessageInput): RenderedMessage {
    const t = this.messages.translator(input.locale);
    const lastStatus = [...input.events].reverse().find((e) => e.toStatus)?.toStatus ?? input.caseStatus;
    const current = describeStatus(t, input.service, lastStatus);
    const dateFormat = new Intl.DateTimeFormat(input.locale === 'zh-Hant' ? 'zh-TW' : 'en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: input.timeZone,
    });
    const items = input.events.map((event) => ({ at: dateFormat.format(event.createdAt), label: describeEvent(t, input.service, event) }));
    const subject =
      items.length > 1
        ? t('notify.email.subjectDigest', { reference: input.reference, count: items.length })
        : t('notify.email.subject', { reference: input.reference, status: current.label });
    const context = {
      t,
      locale: input.locale,
      subject,
      reference: input.reference,
      items,
      current,
      essential: input.essential,
      viewUrl: input.viewUrl,
      statusUrl: input.statusUrl,
      unsubscribeUrl: input.unsubscribeUrl ?? '',
    };
    return {
      subject,
      html: this.html.render('email/case-update.html.njk', context),
      text: this.plain.render('email/case-update.txt.njk', context).replace(/\n{3,}/g, '\n\n'),
      sms: this.plain.render('sms/case-update.njk', context).trim(),
    };
  }
}
