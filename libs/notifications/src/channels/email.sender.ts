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
  originalCode?: string;
  timeoutType?: string;
  responseCode?: number;
  message?: string;
}

/** Socket errors that mean the connection was never made: nothing was handed over. */
/** As many as the worker runs notification jobs at once (apps/worker/src/worker.module.ts). */
const SMTP_CONNECTIONS = 8;

const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const BEFORE_CONVERSATION = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

/**
 * Sends through an SMTP relay with nodemailer over a small pool of kept-open connections: a new
 * connection per message (TCP, greeting, EHLO) cost more than the message itself. The worker's
 * notification concurrency bounds how many are busy at once. Failures are classified by
 * classifySmtpFailure.
 */
export class SmtpEmailSender extends EmailSender implements OnApplicationShutdown {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    this.transport = nodemailer.createTransport({
      url: smtpUrl,
      pool: true,
      maxConnections: SMTP_CONNECTIONS,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 60_000,
    }) as Transporter;
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
      throw classifySmtpFailure(error as SmtpFailure);
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

/**
 * A reply code decides when there is one (5xx except 503: permanent; otherwise temporary). A
 * rejected login or TLS setup is our configuration, not the message: temporary. A connection that
 * was never made, or timed out before the conversation started, is temporary. A connection that
 * broke or went silent after that may have broken after the server took the message: ambiguous.
 */
export function classifySmtpFailure(error: SmtpFailure): DeliveryError {
  const reply = error.responseCode ? `SMTP ${error.responseCode}` : (error.code ?? 'SMTP error');
  const message = redactContacts(`${reply}: ${(error.message ?? '').slice(0, 300)}`);
  if (error.code === 'EAUTH' || error.code === 'ECONFIG' || error.code === 'ETLS' || error.code === 'EDNS') {
    return new DeliveryError(message, 'temporary');
  }
  if (error.responseCode) {
    const permanent = error.responseCode >= 500 && error.responseCode < 600 && error.responseCode !== 503;
    return new DeliveryError(message, permanent ? 'permanent' : 'temporary');
  }
  // An envelope refused without a reply: nodemailer found no valid recipient.
  if (error.code === 'EENVELOPE') return new DeliveryError(message, 'permanent');
  if (NOT_CONNECTED.has(error.originalCode ?? '') || BEFORE_CONVERSATION.has(error.timeoutType ?? '')) {
    return new DeliveryError(message, 'temporary');
  }
  if (error.code === 'ECONNECTION' || error.code === 'ESOCKET' || error.code === 'ETIMEDOUT')
    return new DeliveryError(message, 'ambiguous');
  return new DeliveryError(message, 'temporary');
}
