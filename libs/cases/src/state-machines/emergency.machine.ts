import { defineStateMachine } from './state-machine.js';

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
