import { defineStateMachine, type StatusOf } from '@app/cases';

export const legalisationMachine = defineStateMachine({
  service: 'legalisation',
  initial: ['SUBMITTED'],
  queue: ['SUBMITTED', 'IN_REVIEW'],
  reviewStart: { from: 'SUBMITTED', to: 'IN_REVIEW' },
  decisions: {
    approve: { from: ['IN_REVIEW'], to: 'AUTHENTICATED' },
    refuse: { from: ['IN_REVIEW'], to: 'REFUSED' },
    requestInfo: { from: ['IN_REVIEW'], to: 'INFO_REQUESTED' },
  },
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

export type LegalisationStatus = StatusOf<typeof legalisationMachine>;
