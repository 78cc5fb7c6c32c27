import { defineStateMachine } from './state-machine.js';

export const passportMachine = defineStateMachine({
  service: 'passport',
  initial: ['SUBMITTED'],
  queue: ['SUBMITTED', 'IN_REVIEW'],
  transitions: {
    SUBMITTED: ['IN_REVIEW'],
    IN_REVIEW: ['INFO_REQUESTED', 'APPROVED', 'REFUSED'],
    INFO_REQUESTED: ['SUBMITTED', 'REFUSED'],
    APPROVED: ['PRINTING'],
    PRINTING: ['DISPATCHED'],
    DISPATCHED: ['READY_FOR_PICKUP'],
    READY_FOR_PICKUP: ['COLLECTED'],
    COLLECTED: [],
    REFUSED: [],
  },
});
