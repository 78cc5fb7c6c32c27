import { defineService } from '@app/cases';
import { LEGALISATION_JOBS } from './legalisation.jobs.js';
import { legalisationMachine } from './legalisation.machine.js';
import { LegalisationModule, LegalisationWorkerModule } from './legalisation.module.js';
import { LegalisationPersonalData } from './legalisation-personal-data.js';
import { LegalisationStatusDetails } from './legalisation-status.details.js';
import { LegalisationReviewIntegration } from './officer/legalisation-review.integration.js';
import { loadLegalisationSettings } from './settings.js';

export const LEGALISATION_SERVICE = defineService({
  id: 'legalisation',
  referencePrefix: 'DA',
  machine: legalisationMachine,
  // The regular service level; a request's own level sets its due date when it is submitted.
  sla: { kind: 'workingDays', days: loadLegalisationSettings().feesTwd.regular.workingDays },
  essentialStatuses: ['INFO_REQUESTED', 'READY_FOR_PICKUP', 'MAILED', 'REFUSED'],
  documentKinds: ['authentication-certificate'],
  documentsValidIn: ['AUTHENTICATED', 'READY_FOR_PICKUP', 'MAILED', 'COMPLETED'],
  jobs: Object.values(LEGALISATION_JOBS),
  home: { order: 3 },
  entities: [],
  modules: { api: LegalisationModule, worker: LegalisationWorkerModule },
  ports: {
    personalData: LegalisationPersonalData,
    statusDetails: LegalisationStatusDetails,
    shareableDocument: null,
    review: LegalisationReviewIntegration,
  },
});
