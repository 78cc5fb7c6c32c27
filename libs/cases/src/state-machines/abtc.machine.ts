import { defineStateMachine } from './state-machine.js';

export const abtcMachine = defineStateMachine({
  service: 'abtc',
  initial: ['SUBMITTED'],
  queue: ['SUBMITTED', 'DOMESTIC_REVIEW'],
  transitions: {
    SUBMITTED: ['DOMESTIC_REVIEW'],
    DOMESTIC_REVIEW: ['PRE_CLEARANCE', 'REFUSED'],
    PRE_CLEARANCE: ['ISSUED', 'REFUSED'],
    ISSUED: [],
    REFUSED: [],
  },
});
