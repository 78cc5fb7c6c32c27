import type { OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { type Accepted, DeliveryError } from './delivery-error.js';
import { redactContacts } from './recipients.js';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The Message-ID header, without angle brackets: fixed by the caller so a resend is recognisable. */
  messageId: string;
  headers?: Record<string, string>;
}

/** The domain of the From address, for Message-ID headers (`<id@domain>`). */
export function mailDomainOf(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'consular.invalid';
}

/** The email channel. Adapters throw DeliveryError; anything else counts as temporary. */
export abstract class EmailSender {
  abstract send(email: OutgoingEmail): Promise<Accepted>;
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  permanent?: boolean;
  message?: string;
}

/**
 * Sends through an SMTP relay with nodemailer, one connection per message (no pool: the worker's
 * concurrency bounds the connections). A 5xx reply is permanent; a 4xx reply, a refused or
 * dropped connection, a timeout or a rejected login (our configuration, not the message) are
 * temporary.
 */
export class SmtpEmailSender extends EmailSender implements OnApplicationShutdown {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    this.transport = nodemailer.createTransport(smtpUrl, {}) as Transporter;
    this.transport.set('disableFileAccess', true);
  }

  async send(email: OutgoingEmail): Promise<Accepted> {
    try {
      const info = (await this.transport.sendMail({
        from: this.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: `<${email.messageId}>`,
        headers: email.headers,
        disableFileAccess: true,
        disableUrlAccess: true,
      })) as { response?: string; messageId?: string };
      return { providerMessageId: queueIdOf(info.response) ?? info.messageId ?? email.messageId };
    } catch (error) {
      throw classify(error as SmtpFailure);
    }
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}

/** "250 2.0.0 Ok: queued as 4F3A21" → "4F3A21"; otherwise the whole reply, which names the message too. */
function queueIdOf(response: string | undefined): string | null {
  if (!response) return null;
  const match = /queued as ([^\s]+)/i.exec(response);
  return (match?.[1] ?? response).slice(0, 200);
}

function classify(error: SmtpFailure): DeliveryError {
  const reply = error.responseCode ? `SMTP ${error.responseCode}` : (error.code ?? 'SMTP error');
  const message = redactContacts(`${reply}: ${(error.message ?? '').slice(0, 300)}`);
  if (error.code === 'EAUTH' || error.code === 'ECONFIG') return new DeliveryError(message, false);
  if (error.permanent === true) return new DeliveryError(message, true);
  if (error.responseCode && error.responseCode >= 500 && error.responseCode !== 503) return new DeliveryError(message, true);
  // An envelope refused without a reply code: nodemailer found no valid recipient.
  if (error.code === 'EENVELOPE' && !error.responseCode) return new DeliveryError(message, true);
  return new DeliveryError(message, false);
}
