import { Module } from '@nestjs/common';
import { CasesModule } from '@app/cases';
import { ReviewModule } from '@app/review';
import { AbtcApiController } from './api/abtc-api.controller.js';
import { AbtcPersonalData } from './abtc-personal-data.js';
import { AbtcStatusDetails } from './abtc-status.details.js';
import { AbtcService } from './abtc.service.js';
import { CardHandler } from './card/card.handler.js';
import { AbtcReviewIntegration } from './officer/abtc-review.integration.js';
import { ClearanceController } from './officer/clearance.controller.js';
import { ClearanceService } from './officer/clearance.service.js';
import { ABTC_SETTINGS, loadAbtcSettings } from './settings.js';
import { abtcDraftsProvider } from './web/draft-store.js';
import { AbtcPagesController } from './web/abtc-pages.controller.js';

/** Applications and the personal-data port: what both the API and the worker (retention) need. */
@Module({
  imports: [CasesModule],
  providers: [{ provide: ABTC_SETTINGS, useFactory: () => loadAbtcSettings() }, AbtcService, AbtcPersonalData],
  exports: [ABTC_SETTINGS, AbtcService],
})
export class AbtcCoreModule {}

/**
 * The APEC Business Travel Card: the applicant's pages and JSON API, the home check in the review
 * queue, the officers' pre-clearance page and the status page's clearance table.
 */
@Module({
  imports: [AbtcCoreModule, CasesModule, ReviewModule],
  controllers: [AbtcPagesController, AbtcApiController, ClearanceController],
  providers: [abtcDraftsProvider, AbtcReviewIntegration, AbtcStatusDetails, ClearanceService],
})
export class AbtcModule {}

/** The worker side: the card PDF, and the personal-data port, so the retention job erases what an application holds. */
@Module({ imports: [AbtcCoreModule, CasesModule], providers: [CardHandler] })
export class AbtcWorkerModule {}
