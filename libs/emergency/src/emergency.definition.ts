import { defineService } from '@app/cases';
import { EmergencyPersonalData } from './emergency-personal-data.js';
import { EmergencyReviewIntegration } from './emergency-review.integration.js';
import { EmergencyStatusDetails } from './emergency-status.details.js';
import { emergencyMachine } from './emergency.machine.js';
import { EmergencyModule, EmergencyWorkerModule } from './emergency.module.js';
import { EmergencyCase } from './entities/emergency-case.entity.js';
import { EmergencyContact } from './entities/emergency-contact.entity.js';
import { loadEmergencySettings } from './settings.js';

const firstContact = loadEmergencySettings().firstContactMinutes;

export const EMERGENCY_SERVICE = defineService({
  id: 'emergency',
  referencePrefix: 'EM',
  machine: emergencyMachine,
  // The first contact is due by priority; it is the case's SLA until it happens.
  sla: {
    kind: 'minutesByPriority',
    minutes: Object.fromEntries(Object.entries(firstContact).map(([p, m]) => [Number(p), m])),
    otherwise: firstContact['2']!,
  },
  essentialStatuses: 'every',
  documentKinds: [],
  documentsValidIn: [],
  jobs: [],
  home: { order: 5 },
  entities: [EmergencyCase, EmergencyContact],
  modules: { api: EmergencyModule, worker: EmergencyWorkerModule },
  ports: {
    personalData: EmergencyPersonalData,
    statusDetails: EmergencyStatusDetails,
    shareableDocument: null,
    review: EmergencyReviewIntegration,
  },
});
