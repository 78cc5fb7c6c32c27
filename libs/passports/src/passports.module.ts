import { Module } from '@nestjs/common';
import { CasesModule } from '@app/cases';
import { InformationRequestsModule, ReviewModule } from '@app/review';
import { PassportsApiController } from './api/passports-api.controller.js';
import { PassportFulfilmentController } from './officer/passport-fulfilment.controller.js';
import { PassportFulfilmentService } from './officer/passport-fulfilment.service.js';
import { PassportReviewIntegration } from './officer/passport-review.integration.js';
import { PassportPersonalData } from './passports-personal-data.js';
import { PassportStatusDetails } from './passports-status.details.js';
import { PassportService } from './passports.service.js';
import { loadPassportSettings, PASSPORT_SETTINGS } from './settings.js';
import { passportDraftsProvider } from './web/draft-store.js';
import { PassportsPagesController } from './web/passports-pages.controller.js';

/** Applications and the personal-data port: what both the API and the worker (retention) need. */
@Module({
  imports: [CasesModule, InformationRequestsModule],
  providers: [{ provide: PASSPORT_SETTINGS, useFactory: () => loadPassportSettings() }, PassportService, PassportPersonalData],
  exports: [PASSPORT_SETTINGS, PassportService, InformationRequestsModule],
})
export class PassportsCoreModule {}

/**
 * Chip passports: the applicant's pages and JSON API, review-queue decisions and workspace, the
 * printing → dispatch → ready → collected pages for HQ and the collecting post, and the status page's details.
 */
@Module({
  imports: [PassportsCoreModule, CasesModule, ReviewModule],
  controllers: [PassportsPagesController, PassportsApiController, PassportFulfilmentController],
  providers: [passportDraftsProvider, PassportReviewIntegration, PassportStatusDetails, PassportFulfilmentService],
})
export class PassportsModule {}

/** The worker side: the personal-data port, so the retention job erases what an application holds. */
@Module({ imports: [PassportsCoreModule] })
export class PassportsWorkerModule {}
