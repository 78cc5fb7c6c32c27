import { defineStateMachine, type StatusOf } from '@app/cases';

export const emergencyMachine = defineStateMachine({
  service: 'emergency',
  initial: ['REPORTED'],
  queue: ['REPORTED', 'TRIAGED', 'IN_PROGRESS'],
  decisions: {},
  transitions: {
    REPORTED: ['TRIAGED'],
    TRIAGED: ['IN_PROGRESS'],
    IN_PROGRESS: ['RESOLVED'],
    RESOLVED: ['CLOSED'],
    CLOSED: [],
  },
});

export type EmergencyStatus = StatusOf<typeof emergencyMachine>;
