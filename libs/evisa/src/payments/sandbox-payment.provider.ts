import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, DomainException } from '@app/platform';
import type { PaymentStatus } from '../entities/evisa-payment.entity.js';
import { EvisaErrors } from '../errors.js';
import { type CreatedPayment, type CreatePaymentRequest, PaymentProvider } from './payment-provider.js';

/** Test cards, as card networks publish them: one always succeeds, one is always declined. */
export const SANDBOX_CARDS: Record<string, PaymentStatus> = {
  '4242424242424242': 'succeeded',
  '4000000000000002': 'declined',
};

/**
 * A simulated acquirer for development and tests. Its own state lives in `evisa_sandbox_charge`,
 * apart from the portal's payment records, like a real acquirer's would. A payment is charged at
 * most once: a second card submission for the same payment returns the first outcome. Disabled in
 * production, where a real acquirer must be bound to PaymentProvider.
 */
@Injectable()
export class SandboxPaymentProvider extends PaymentProvider {
  readonly name = 'sandbox';

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  get enabled(): boolean {
    return this.config.env !== 'production';
  }

  async createPayment(request: CreatePaymentRequest): Promise<CreatedPayment> {
    this.assertEnabled();
    // The same idempotency key always names the same sandbox payment, as with a real acquirer.
    const providerReference = `sbx_${createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 24)}`;
    await this.dataSource.query(
      `INSERT INTO evisa_sandbox_charge (provider_reference, amount, currency, status) VALUES ($1, $2, $3, 'pending')
       ON CONFLICT (provider_reference) DO NOTHING`,
      [providerReference, request.amount, request.currency],
    );
    return { providerReference, redirectUrl: `/evisa/sandbox-pay/${providerReference}` };
  }

  callbackReference(params: Record<string, unknown>): string | null {
    const reference = params.ref;
    return typeof reference === 'string' && /^sbx_[0-9a-f]{24}$/.test(reference) ? reference : null;
  }

  async status(providerReference: string): Promise<PaymentStatus> {
    const charge = await this.find(providerReference);
    if (!charge) throw new DomainException(EvisaErrors.PAYMENT_NOT_FOUND, 'No such payment.');
    return charge.status;
  }

  async find(providerReference: string): Promise<{ amount: number; currency: string; status: PaymentStatus } | null> {
    this.assertEnabled();
    const [row] = (await this.dataSource.query(`SELECT amount, currency, status FROM evisa_sandbox_charge WHERE provider_reference = $1`, [
      providerReference,
    ])) as { amount: number; currency: string; status: PaymentStatus }[];
    return row ?? null;
  }

  /** The simulated card page's submission. Returns the outcome, or null for a card that is not a test card. */
  async charge(providerReference: string, cardNumber: string): Promise<PaymentStatus | null> {
    this.assertEnabled();
    const outcome = SANDBOX_CARDS[cardNumber.replace(/[\s-]/g, '')];
    if (!outcome) return null;
    // An UPDATE … RETURNING answers [rows, affected] through TypeORM's query().
    const [rows] = (await this.dataSource.query(
      `UPDATE evisa_sandbox_charge SET status = $2, card_last4 = $3, charged_at = now()
       WHERE provider_reference = $1 AND status = 'pending' RETURNING status`,
      [providerReference, outcome, cardNumber.replace(/\D/g, '').slice(-4)],
    )) as [{ status: PaymentStatus }[], number];
    if (rows[0]) return rows[0].status;
    return this.status(providerReference);
  }

  private assertEnabled(): void {
    if (!this.enabled) throw new DomainException(EvisaErrors.SANDBOX_DISABLED, 'The payment sandbox is not available here.');
  }
}
