import { defineService } from '@app/cases';
import { EvisaApplication } from './entities/evisa-application.entity.js';
import { EvisaPayment } from './entities/evisa-payment.entity.js';
import { EvisaInformationRequest } from './entities/information-request.entity.js';
import { VerificationLookup } from './entities/verification-lookup.entity.js';
import { EvisaPersonalData } from './evisa-personal-data.js';
import { EVISA_JOBS } from './evisa.jobs.js';
import { evisaMachine } from './evisa.machine.js';
import { EvisaModule, EvisaWorkerModule } from './evisa.module.js';
import { EvisaReviewIntegration } from './officer/evisa-review.integration.js';
import { loadEvisaSettings } from './settings.js';
import { EvisaShareProvider } from './verification/evisa-share.provider.js';

export const EVISA_SERVICE = defineService({
  id: 'evisa',
  referencePrefix: 'EV',
  machine: evisaMachine,
  sla: { kind: 'workingDays', days: loadEvisaSettings().reviewSlaWorkingDays },
  essentialStatuses: ['INFO_REQUESTED', 'APPROVED', 'ISSUED', 'REFUSED', 'REVOKED'],
  documentKinds: ['evisa'],
  documentsValidIn: ['ISSUED'],
  jobs: Object.values(EVISA_JOBS),
  home: { order: 1, links: [{ href: '/evisa/access', labelKey: 'evisa.home.access' }] },
  entities: [EvisaApplication, EvisaPayment, EvisaInformationRequest, VerificationLookup],
  modules: { api: EvisaModule, worker: EvisaWorkerModule.forRoot() },
  ports: {
    personalData: EvisaPersonalData,
    statusDetails: null,
    shareableDocument: EvisaShareProvider,
    review: EvisaReviewIntegration,
  },
});
