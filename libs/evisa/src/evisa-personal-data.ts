import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersonalDataPort } from '@app/cases';
import { ApplicationCipher, PERSONAL_APPLICATION_FIELDS } from './application-cipher.js';
import { INFO_TABLE } from './application.service.js';
import { EvisaApplication } from './entities/evisa-application.entity.js';
import { EvisaPayment } from './entities/evisa-payment.entity.js';
import { EvisaInformationRequest } from './entities/information-request.entity.js';

/**
 * The eVisa's personal data for the retention job and subject access exports: the application's
 * encrypted answers, decision text and seal, and the texts of requests for information. Payments
 * hold no personal data (amount, currency, acquirer reference) and stay as they are.
 */
@Injectable()
export class EvisaPersonalData implements PersonalDataPort {
  constructor(private readonly appCipher: ApplicationCipher) {}

  async erase(manager: EntityManager, caseId: string): Promise<void> {
    const cleared = Object.fromEntries(PERSONAL_APPLICATION_FIELDS.map((field) => [field, null])) as Partial<EvisaApplication>;
    await manager.update(EvisaApplication, { caseId }, { ...cleared, photoFileId: null, passportPageFileId: null, updatedAt: new Date() });
    await manager.update(EvisaInformationRequest, { caseId }, { message: null, answerText: null, answerFileIds: [] });
  }

  async export(manager: EntityManager, caseId: string): Promise<Record<string, unknown>> {
    const application = await manager.findOneBy(EvisaApplication, { caseId });
    const requests = await manager.find(EvisaInformationRequest, { where: { caseId }, order: { requestedAt: 'ASC' } });
    const payments = await manager.find(EvisaPayment, { where: { caseId }, order: { createdAt: 'ASC' } });
    return {
      application: application && {
        answers: this.appCipher.answersOf(application),
        photoFileId: application.photoFileId,
        passportPageFileId: application.passportPageFileId,
        visa: application.visaNumber
          ? {
              visaNumber: application.visaNumber,
              validFrom: application.validFrom,
              validUntil: application.validUntil,
              entries: application.entries,
              stayDays: application.stayDays,
            }
          : null,
        decision: {
          reasonCode: application.decisionReasonCode,
          text: this.appCipher.open(caseId, 'decision_text', application.decisionText),
        },
      },
      informationRequests: requests.map((request) => ({
        message: this.appCipher.openIn(INFO_TABLE, 'message', request.id, request.message),
        deadline: request.deadline,
        requestedAt: request.requestedAt,
        answer: this.appCipher.openIn(INFO_TABLE, 'answer_text', request.id, request.answerText),
        answerFileIds: request.answerFileIds,
        answeredAt: request.answeredAt,
        expiredAt: request.expiredAt,
      })),
      payments: payments.map((payment) => ({
        amount: payment.amount,
        currency: payment.currency,
        status: payment.status,
        createdAt: payment.createdAt,
      })),
    };
  }
}
