import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig, DomainException } from '@app/platform';
import { CaseRecord } from '@app/cases';
import { EvisaPayment, type PaymentStatus } from '../entities/evisa-payment.entity.js';
import { EvisaErrors } from '../errors.js';
import { EVISA_SETTINGS, type EvisaSettings } from '../settings.js';
import { PaymentProvider } from './payment-provider.js';

export interface PaymentView {
  paymentId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  provider: string;
  providerReference: string;
  redirectUrl: string | null;
}

const UNIQUE_VIOLATION = '23505';
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

export function assertIdempotencyKey(key: unknown): string {
  if (typeof key !== 'string' || !key) {
    throw new DomainException(EvisaErrors.IDEMPOTENCY_KEY_REQUIRED, 'Send an Idempotency-Key header (8 to 128 letters, digits, . _ : -).');
  }
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new DomainException(
      EvisaErrors.IDEMPOTENCY_KEY_REQUIRED,
      'The Idempotency-Key header must be 8 to 128 letters, digits, . _ : or -.',
    );
  }
  return key;
}

/**
 * Takes the eVisa fee through the PaymentProvider port. The same Idempotency-Key always returns
 * the same payment, and a case has at most one pending or successful payment (a unique index), so
 * an applicant is never charged twice.
 */
@Injectable()
export class EvisaPaymentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly provider: PaymentProvider,
    @Inject(EVISA_SETTINGS) private readonly settings: EvisaSettings,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(caseId: string, idempotencyKey: string): Promise<{ payment: PaymentView; created: boolean }> {
    assertIdempotencyKey(idempotencyKey);
    const replay = await this.dataSource.manager.findOneBy(EvisaPayment, { idempotencyKey });
    if (replay) return { payment: await this.replayed(replay, caseId), created: false };

    const record = await this.dataSource.manager.findOneBy(CaseRecord, { id: caseId });
    if (!record) throw new DomainException(EvisaErrors.DRAFT_NOT_FOUND, 'No such application.');
    const live = await this.livePayment(this.dataSource.manager, caseId);
    if (live?.status === 'succeeded') throw new DomainException(EvisaErrors.ALREADY_PAID, 'The fee for this application is already paid.');
    if (live) {
      throw new DomainException(EvisaErrors.PAYMENT_IN_PROGRESS, 'A payment for this application is in progress; finish or retry it.', {
        paymentId: live.id,
        redirectUrl: await this.redirectFor(live),
      });
    }
    const created = await this.provider.createPayment({
      amount: this.settings.feeAmount,
      currency: this.settings.currency,
      reference: record.reference,
      idempotencyKey,
      returnUrl: `${this.config.publicBaseUrl}/evisa/payment/return`,
    });
    const payment = Object.assign(new EvisaPayment(), {
      id: randomUUID(),
      caseId,
      amount: this.settings.feeAmount,
      currency: this.settings.currency,
      provider: this.provider.name,
      providerReference: created.providerReference,
      status: 'pending' as const,
      idempotencyKey,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    try {
      await this.dataSource.manager.insert(EvisaPayment, payment);
    } catch (error) {
      // Lost a race: the same key (a concurrent retry) or another live payment for this case.
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      const winner = await this.dataSource.manager.findOneBy(EvisaPayment, { idempotencyKey });
      if (winner) return { payment: await this.replayed(winner, caseId), created: false };
      throw new DomainException(EvisaErrors.PAYMENT_IN_PROGRESS, 'A payment for this application is in progress; finish or retry it.');
    }
    return { payment: await this.view(payment, created.redirectUrl), created: true };
  }

  /** Asks the acquirer for the outcome and records it. Safe to call any number of times. */
  async confirm(providerReference: string): Promise<EvisaPayment> {
    const payment = await this.dataSource.manager.findOneBy(EvisaPayment, { providerReference });
    if (!payment) throw new DomainException(EvisaErrors.PAYMENT_NOT_FOUND, 'No such payment.');
    if (payment.status !== 'pending') return payment;
    const status = await this.provider.status(providerReference);
    if (status === 'pending') return payment;
    await this.dataSource.query(`UPDATE evisa_payment SET status = $2, updated_at = now() WHERE id = $1 AND status = 'pending'`, [
      payment.id,
      status,
    ]);
    return this.dataSource.manager.findOneByOrFail(EvisaPayment, { id: payment.id });
  }

  callbackReference(params: Record<string, unknown>): string | null {
    return this.provider.callbackReference(params);
  }

  /** The pending or successful payment of a case, its status refreshed from the acquirer. */
  async current(caseId: string): Promise<EvisaPayment | null> {
    const live = await this.livePayment(this.dataSource.manager, caseId);
    if (live?.status === 'pending') return this.confirm(live.providerReference);
    if (live) return live;
    return this.dataSource.manager.findOne(EvisaPayment, { where: { caseId }, order: { createdAt: 'DESC' } });
  }

  async succeeded(manager: EntityManager, caseId: string): Promise<EvisaPayment | null> {
    return manager.findOneBy(EvisaPayment, { caseId, status: 'succeeded' });
  }

  async view(payment: EvisaPayment, redirectUrl?: string | null): Promise<PaymentView> {
    return {
      paymentId: payment.id,
      status: payment.status,
      amount: payment.amount,
      currency: payment.currency,
      provider: payment.provider,
      providerReference: payment.providerReference,
      redirectUrl: redirectUrl === undefined ? await this.redirectFor(payment) : redirectUrl,
    };
  }

  private async replayed(payment: EvisaPayment, caseId: string): Promise<PaymentView> {
    if (payment.caseId !== caseId) {
      throw new DomainException(EvisaErrors.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was already used for another request.');
    }
    const fresh = payment.status === 'pending' ? await this.confirm(payment.providerReference) : payment;
    return this.view(fresh);
  }

  private async redirectFor(payment: EvisaPayment): Promise<string | null> {
    if (payment.status !== 'pending') return null;
    // Asking again with the same key gives back the same acquirer page.
    const created = await this.provider.createPayment({
      amount: payment.amount,
      currency: payment.currency,
      reference: payment.caseId,
      idempotencyKey: payment.idempotencyKey,
      returnUrl: `${this.config.publicBaseUrl}/evisa/payment/return`,
    });
    return created.redirectUrl;
  }

  private livePayment(manager: EntityManager, caseId: string): Promise<EvisaPayment | null> {
    return manager
      .createQueryBuilder(EvisaPayment, 'p')
      .where('p.case_id = :caseId AND p.status IN (:...statuses)', { caseId, statuses: ['pending', 'succeeded'] })
      .getOne();
  }
}
