import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { FieldCipher } from '@app/platform';
import { type Accepted, DeliveryError } from './delivery-error.js';
import { redactContacts } from './recipients.js';

export interface OutgoingSms {
  /** E.164. */
  to: string;
  body: string;
  /** The notification id: the same message always carries the same key. */
  idempotencyKey: string;
}

/** The SMS channel. */
export abstract class SmsSender {
  /** False when no gateway is configured in production: SMS is then not offered at all. */
  abstract readonly enabled: boolean;

  abstract send(sms: OutgoingSms): Promise<Accepted>;

  /**
   * Asks the provider whether it accepted a message with this key: its answer, null when it
   * certainly did not, undefined when it cannot tell. Used after a worker stopped mid-send.
   */
  abstract confirm(idempotencyKey: string): Promise<Accepted | null | undefined>;
}

const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * A real gateway behind an HTTP webhook: POST {to, body, reference} as JSON with an
 * Idempotency-Key header (the notification id) and an optional bearer token. 2xx is accepted
 * (the id from the JSON body's `id`/`messageId`); 408, 425, 429 and 5xx are temporary; any
 * other 4xx is permanent; no answer at all is ambiguous.
 */
export class WebhookSmsSender extends SmsSender {
  readonly enabled = true;

  constructor(
    private readonly url: string,
    private readonly token: string | null,
  ) {
    super();
  }

  async send(sms: OutgoingSms): Promise<Accepted> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': sms.idempotencyKey,
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: JSON.stringify({ to: sms.to, body: sms.body, reference: sms.idempotencyKey }),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        redirect: 'error',
      });
    } catch (error) {
      // Refused before anything was sent: retry. A timeout or a dropped connection after the
      // request went out: the gateway may have taken it.
      const cause = ((error as { cause?: { code?: string } }).cause?.code ?? '') as string;
      const kind = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(cause) ? 'temporary' : 'ambiguous';
      throw new DeliveryError(`SMS gateway did not answer: ${redactContacts((error as Error).message)}`, kind);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      let id: unknown;
      try {
        const body = JSON.parse(text) as { id?: unknown; messageId?: unknown };
        id = body.id ?? body.messageId;
      } catch {
        id = undefined;
      }
      return { providerMessageId: typeof id === 'string' || typeof id === 'number' ? String(id) : sms.idempotencyKey };
    }
    const temporary = response.status >= 500 || [408, 425, 429].includes(response.status);
    throw new DeliveryError(
      `SMS gateway answered ${response.status}: ${redactContacts(text.slice(0, 200))}`,
      temporary ? 'temporary' : 'permanent',
    );
  }

  /** A generic webhook offers no status query: after a crash mid-send, the delivery is unknown. */
  async confirm(): Promise<undefined> {
    return undefined;
  }
}

/**
 * Development adapter: "delivers" by storing the text in sms_dev_message (recipient encrypted).
 * Being our own table, it can always say whether a message was accepted.
 */
export class DatabaseSmsSender extends SmsSender {
  readonly enabled = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: FieldCipher,
  ) {
    super();
  }

  async send(sms: OutgoingSms): Promise<Accepted> {
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO sms_dev_message (id, idempotency_key, recipient, body) VALUES ($1, $2, $3, $4) ON CONFLICT (idempotency_key) DO NOTHING`,
      [id, sms.idempotencyKey, this.cipher.encrypt(sms.to, `sms_dev_message.recipient:${sms.idempotencyKey}`), sms.body],
    );
    return (await this.confirm(sms.idempotencyKey))!;
  }

  async confirm(idempotencyKey: string): Promise<Accepted | null> {
    const rows = (await this.dataSource.query(`SELECT id FROM sms_dev_message WHERE idempotency_key = $1`, [idempotencyKey])) as {
      id: string;
    }[];
    return rows[0] ? { providerMessageId: rows[0].id } : null;
  }
}

/** Production without SMS_WEBHOOK_URL: no texts are sent (the development inbox would silently swallow them). */
export class DisabledSmsSender extends SmsSender {
  readonly enabled = false;

  async send(): Promise<Accepted> {
    throw new DeliveryError('SMS is not configured (SMS_WEBHOOK_URL)', 'permanent');
  }

  async confirm(): Promise<null> {
    return null;
  }
}
