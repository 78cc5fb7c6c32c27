import { defineService } from '@app/cases';
import { PassportReviewIntegration } from './officer/passport-review.integration.js';
import { passportMachine } from './passport.machine.js';
import { PassportsModule, PassportsWorkerModule } from './passports.module.js';
import { PassportPersonalData } from './passports-personal-data.js';
import { PassportStatusDetails } from './passports-status.details.js';

export const PASSPORT_SERVICE = defineService({
  id: 'passport',
  referencePrefix: 'PP',
  machine: passportMachine,
  sla: { kind: 'workingDays', days: 10 },
  essentialStatuses: ['INFO_REQUESTED', 'REFUSED', 'READY_FOR_PICKUP'],
  documentKinds: [],
  documentsValidIn: ['DISPATCHED', 'READY_FOR_PICKUP', 'COLLECTED'],
  jobs: [],
  home: { order: 2 },
  entities: [],
  modules: { api: PassportsModule, worker: PassportsWorkerModule },
  ports: {
    personalData: PassportPersonalData,
    statusDetails: PassportStatusDetails,
    shareableDocument: null,
    review: PassportReviewIntegration,
  },
});
