import { defineService } from '@app/cases';
import { ABTC_JOBS } from './abtc.jobs.js';
import { abtcMachine } from './abtc.machine.js';
import { AbtcModule, AbtcWorkerModule } from './abtc.module.js';
import { AbtcPersonalData } from './abtc-personal-data.js';
import { AbtcStatusDetails } from './abtc-status.details.js';
import { AbtcReviewIntegration } from './officer/abtc-review.integration.js';

export const ABTC_SERVICE = defineService({
  id: 'abtc',
  referencePrefix: 'AB',
  machine: abtcMachine,
  sla: { kind: 'workingDays', days: 10 },
  essentialStatuses: ['ISSUED', 'REFUSED'],
  documentKinds: ['abtc-card'],
  documentsValidIn: ['ISSUED'],
  jobs: Object.values(ABTC_JOBS),
  home: { order: 4 },
  entities: [],
  modules: { api: AbtcModule, worker: AbtcWorkerModule },
  ports: {
    personalData: AbtcPersonalData,
    statusDetails: AbtcStatusDetails,
    shareableDocument: null,
    review: AbtcReviewIntegration,
  },
});
