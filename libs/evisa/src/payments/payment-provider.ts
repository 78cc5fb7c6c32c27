import type { PaymentStatus } from '../entities/evisa-payment.entity.js';

export interface CreatePaymentRequest {
  /** In the currency's minor unit where it has one; TWD is charged in whole dollars. */
  amount: number;
  currency: string;
  /** What the cardholder's statement shows: the case reference, never a name. */
  reference: string;
  /** The acquirer must return the same payment for the same key, so a retried request never charges twice. */
  idempotencyKey: string;
  /** Where the acquirer sends the applicant back after the card page. */
  returnUrl: string;
}

export interface CreatedPayment {
  providerReference: string;
  /** The acquirer's card page, or our own page for the sandbox. */
  redirectUrl: string;
}

/**
 * The port a real card acquirer implements. The portal never sees card numbers: the applicant
 * types them on the acquirer's page, which sends them back to `returnUrl`; the portal then asks
 * the acquirer for the outcome (`status`), never trusting what the browser says.
 */
export abstract class PaymentProvider {
  abstract readonly name: string;
  abstract createPayment(request: CreatePaymentRequest): Promise<CreatedPayment>;
  /** Reads the acquirer's callback (return URL query or webhook body) and says which payment it is about. */
  abstract callbackReference(params: Record<string, unknown>): string | null;
  abstract status(providerReference: string): Promise<PaymentStatus>;
}
