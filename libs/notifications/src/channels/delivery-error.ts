/**
 * How a provider call failed:
 * - temporary: certainly not delivered, worth retrying (4xx reply, connection refused, timeout
 *   before the conversation started);
 * - permanent: certainly not delivered, and the same message would be refused again (5xx reply,
 *   invalid address): never retried;
 * - ambiguous: the connection broke while the message was being handed over, so it may have been
 *   accepted. Never retried automatically (see NotificationDelivery).
 */
export type DeliveryFailureKind = 'temporary' | 'permanent' | 'ambiguous';

/** What a channel adapter throws when a provider did not (knowingly) accept a message. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly kind: DeliveryFailureKind,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** What a provider said when it accepted a message. */
export interface Accepted {
  providerMessageId: string;
}
