import { Module } from '@nestjs/common';
import { CasesModule } from '@app/cases';
import { ReviewModule } from '@app/review';
import { EmergencyApiController } from './api/emergency-api.controller.js';
import { EmergencyCipher } from './emergency-cipher.js';
import { EmergencyPersonalData } from './emergency-personal-data.js';
import { EmergencyReviewIntegration } from './emergency-review.integration.js';
import { EmergencyStatusDetails } from './emergency-status.details.js';
import { EmergencyService } from './emergency.service.js';
import { EmergencyOfficerApiController } from './officer/emergency-officer-api.controller.js';
import { EmergencyOfficerController } from './officer/emergency-officer.controller.js';
import { EMERGENCY_SETTINGS, loadEmergencySettings } from './settings.js';
import { EmergencyPagesController } from './web/emergency-pages.controller.js';

/** The emergency's personal data port, for the API and for the worker's retention job. */
@Module({
  providers: [EmergencyCipher, EmergencyPersonalData],
  exports: [EmergencyCipher],
})
export class EmergencyCoreModule {}

/**
 * Emergency assistance abroad: the public report (pages and JSON API), the officers' page
 * (triage, contact log, resolution), the case workspace's details and the status page's updates.
 */
@Module({
  imports: [EmergencyCoreModule, CasesModule, ReviewModule],
  controllers: [EmergencyPagesController, EmergencyApiController, EmergencyOfficerController, EmergencyOfficerApiController],
  providers: [
    { provide: EMERGENCY_SETTINGS, useFactory: () => loadEmergencySettings() },
    EmergencyService,
    EmergencyReviewIntegration,
    EmergencyStatusDetails,
  ],
  exports: [EmergencyService],
})
export class EmergencyModule {}

/** The worker side: only the personal data port, so the retention job erases emergency data too. */
@Module({ imports: [EmergencyCoreModule] })
export class EmergencyWorkerModule {}
