import { defineStateMachine, type StatusOf } from '@app/cases';

export const abtcMachine = defineStateMachine({
  service: 'abtc',
  initial: ['SUBMITTED'],
  queue: ['SUBMITTED', 'DOMESTIC_REVIEW'],
  reviewStart: { from: 'SUBMITTED', to: 'DOMESTIC_REVIEW' },
  decisions: {
    approve: { from: ['DOMESTIC_REVIEW'], to: 'PRE_CLEARANCE' },
    refuse: { from: ['DOMESTIC_REVIEW', 'PRE_CLEARANCE'], to: 'REFUSED' },
  },
  transitions: {
    SUBMITTED: ['DOMESTIC_REVIEW'],
    DOMESTIC_REVIEW: ['PRE_CLEARANCE', 'REFUSED'],
    PRE_CLEARANCE: ['ISSUED', 'REFUSED'],
    ISSUED: [],
    REFUSED: [],
  },
});

export type AbtcStatus = StatusOf<typeof abtcMachine>;
