/**
 * What a channel adapter throws when a provider did not accept a message. `permanent` means the
 * same message would be refused again (a 5xx reply, an invalid address): it is never retried.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** What a provider said when it accepted a message. */
export interface Accepted {
  providerMessageId: string;
}
