import { defineStateMachine, type StatusOf } from '@app/cases';

export const passportMachine = defineStateMachine({
  service: 'passport',
  initial: ['SUBMITTED'],
  queue: ['SUBMITTED', 'IN_REVIEW'],
  reviewStart: { from: 'SUBMITTED', to: 'IN_REVIEW' },
  decisions: {
    approve: { from: ['IN_REVIEW'], to: 'APPROVED' },
    refuse: { from: ['IN_REVIEW'], to: 'REFUSED' },
    requestInfo: { from: ['IN_REVIEW'], to: 'INFO_REQUESTED' },
  },
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

export type PassportStatus = StatusOf<typeof passportMachine>;
