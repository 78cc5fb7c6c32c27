import { EvisaShareProvider } from './verification/evisa-share.provider.js';
import { ReviewModule } from '@app/review';
import { EvisaReviewIntegration } from './officer/evisa-review.integration.js';
import { EvisaRevokeController } from './officer/evisa-revoke.controller.js';
import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { CasesModule } from '@app/cases';
import { DocumentsModule } from '@app/documents';
import { EvisaApiController } from './api/evisa-api.controller.js';
import { ApplicationCipher } from './application-cipher.js';
import { EvisaApplicationService } from './application.service.js';
import { EvisaPersonalData } from './evisa-personal-data.js';
import { DraftResumeLinkHandler } from './jobs/draft-link.handler.js';
import { NotificationsModule } from '@app/notifications';
import { DraftLinkMailer, SmtpDraftLinkMailer } from './jobs/draft-link.mailer.js';
import { EvisaHousekeeping } from './jobs/housekeeping.js';
import { LostRenderRecovery } from './jobs/lost-render-recovery.js';
import { RenderEvisaHandler } from './jobs/render-evisa.handler.js';
import { EvisaDownloadService } from './issuance/evisa-download.service.js';
import { EvisaIssuanceMetrics } from './issuance/issuance-metrics.js';
import { EvisaOfficerActions } from './officer-actions.service.js';
import { PaymentProvider } from './payments/payment-provider.js';
import { EvisaPaymentService } from './payments/payment.service.js';
import { SandboxPaymentProvider } from './payments/sandbox-payment.provider.js';
import { EVISA_SETTINGS, loadEvisaSettings } from './settings.js';
import { EvisaVerificationMetrics, EvisaVerificationService } from './verification/evisa-verification.service.js';
import { EvisaVerifyApiController } from './verification/evisa-verify-api.controller.js';
import { EvisaVerifyPagesController } from './verification/evisa-verify-pages.controller.js';
import { EvisaPagesController } from './web/evisa-pages.controller.js';

/**
 * The eVisa services, shared by the API and the worker. PaymentProvider is the sandbox until a
 * real acquirer is bound (the sandbox refuses to work in production).
 */
@Module({
  imports: [CasesModule],
  providers: [
    { provide: EVISA_SETTINGS, useFactory: () => loadEvisaSettings() },
    ApplicationCipher,
    SandboxPaymentProvider,
    { provide: PaymentProvider, useExisting: SandboxPaymentProvider },
    EvisaPaymentService,
    EvisaApplicationService,
    EvisaOfficerActions,
    EvisaDownloadService,
    EvisaPersonalData,
  ],
  exports: [
    EVISA_SETTINGS,
    ApplicationCipher,
    SandboxPaymentProvider,
    PaymentProvider,
    EvisaPaymentService,
    EvisaApplicationService,
    EvisaOfficerActions,
    EvisaDownloadService,
  ],
})
export class EvisaCoreModule {}

/**
 * The applicant pages and JSON API, the public eVisa register (/verify, /api/v1/verify/evisa), and
 * the officer side: decisions and answers in the review queue, and revocation.
 */
@Module({
  imports: [EvisaCoreModule, DocumentsModule, ReviewModule],
  controllers: [EvisaApiController, EvisaPagesController, EvisaVerifyApiController, EvisaVerifyPagesController, EvisaRevokeController],
  providers: [EvisaVerificationMetrics, EvisaIssuanceMetrics, EvisaVerificationService, EvisaReviewIntegration, EvisaShareProvider],
  exports: [EvisaCoreModule],
})
export class EvisaModule {}

/**
 * The worker side: the resume-link email, rendering and issuing the eVisa (and queueing a lost
 * render again), and the housekeeping timer.
 */
@Module({})
export class EvisaWorkerModule {
  static forRoot(options: { mailer?: Type<DraftLinkMailer> } = {}): DynamicModule {
    return {
      module: EvisaWorkerModule,
      imports: [EvisaCoreModule, CasesModule, DocumentsModule, NotificationsModule],
      providers: [
        { provide: DraftLinkMailer, useClass: options.mailer ?? SmtpDraftLinkMailer },
        DraftResumeLinkHandler,
        RenderEvisaHandler,
        LostRenderRecovery,
        EvisaHousekeeping,
      ],
    };
  }
}
