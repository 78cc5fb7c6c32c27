import { Module } from '@nestjs/common';
import { CasesModule } from '@app/cases';
import { InformationRequestsModule, ReviewModule } from '@app/review';
import { LegalisationApiController } from './api/legalisation-api.controller.js';
import { CertificateHandler } from './certificate/certificate.handler.js';
import { LegalisationPersonalData } from './legalisation-personal-data.js';
import { LegalisationStatusDetails } from './legalisation-status.details.js';
import { LegalisationService } from './legalisation.service.js';
import { FulfilmentController } from './officer/fulfilment.controller.js';
import { FulfilmentService } from './officer/fulfilment.service.js';
import { LegalisationReviewIntegration } from './officer/legalisation-review.integration.js';
import { LEGALISATION_SETTINGS, loadLegalisationSettings } from './settings.js';
import { AppointmentSlots } from './slots.js';
import { CertificateRegisterApiController, CertificateRegisterPagesController } from './verification/certificate-register.controllers.js';
import { CertificateRegister, CertificateRegisterMetrics } from './verification/certificate-register.service.js';
import { legalisationDraftsProvider } from './web/draft-store.js';
import { legalisationJourneyProvider } from './web/legalisation.journey.js';
import { LegalisationPagesController } from './web/legalisation-pages.controller.js';

/** Requests, slots and the personal-data port: what both the API and the worker (retention) need. */
@Module({
  imports: [CasesModule, InformationRequestsModule],
  providers: [
    { provide: LEGALISATION_SETTINGS, useFactory: () => loadLegalisationSettings() },
    AppointmentSlots,
    LegalisationService,
    LegalisationPersonalData,
  ],
  exports: [LEGALISATION_SETTINGS, AppointmentSlots, LegalisationService, InformationRequestsModule],
})
export class LegalisationCoreModule {}

/**
 * Document authentication with appointment booking: the applicant's pages and JSON API, the
 * officer side (review-queue decisions and workspace, fulfilment pages), the status page's details
 * and the public certificate register.
 */
@Module({
  imports: [LegalisationCoreModule, CasesModule, ReviewModule],
  controllers: [
    LegalisationPagesController,
    LegalisationApiController,
    FulfilmentController,
    CertificateRegisterApiController,
    CertificateRegisterPagesController,
  ],
  providers: [
    legalisationDraftsProvider,
    legalisationJourneyProvider,
    LegalisationReviewIntegration,
    LegalisationStatusDetails,
    FulfilmentService,
    CertificateRegisterMetrics,
    CertificateRegister,
  ],
})
export class LegalisationModule {}

/** The worker side: the certificate PDF, and the personal-data port, so the retention job erases what a request holds. */
@Module({ imports: [LegalisationCoreModule, CasesModule], providers: [CertificateHandler] })
export class LegalisationWorkerModule {}
