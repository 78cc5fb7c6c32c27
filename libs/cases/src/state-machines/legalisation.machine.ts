import { defineStateMachine } from './state-machine.js';

export const legalisationMachine = defineStateMachine({
  service: 'legalisation',
  initial: ['SUBMITTED'],
  queue: ['SUBMITTED', 'IN_REVIEW'],
  transitions: {
    SUBMITTED: ['IN_REVIEW'],
    IN_REVIEW: ['INFO_REQUESTED', 'AUTHENTICATED', 'REFUSED'],
    INFO_REQUESTED: ['SUBMITTED', 'REFUSED'],
    AUTHENTICATED: ['READY_FOR_PICKUP', 'MAILED'],
    READY_FOR_PICKUP: ['COMPLETED'],
    MAILED: ['COMPLETED'],
    COMPLETED: [],
    REFUSED: [],
  },
});
