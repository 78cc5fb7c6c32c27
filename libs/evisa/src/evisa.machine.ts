import { defineStateMachine, type StatusOf } from '@app/cases';

export const evisaMachine = defineStateMachine({
  service: 'evisa',
  initial: ['DRAFT'],
  queue: ['SUBMITTED', 'IN_REVIEW'],
  reviewStart: { from: 'SUBMITTED', to: 'IN_REVIEW' },
  decisions: {
    approve: { from: ['IN_REVIEW'], to: 'APPROVED' },
    refuse: { from: ['IN_REVIEW'], to: 'REFUSED' },
    requestInfo: { from: ['IN_REVIEW'], to: 'INFO_REQUESTED' },
  },
  transitions: {
    DRAFT: ['SUBMITTED', 'WITHDRAWN'],
    SUBMITTED: ['IN_REVIEW', 'WITHDRAWN'],
    IN_REVIEW: ['INFO_REQUESTED', 'APPROVED', 'REFUSED', 'WITHDRAWN'],
    INFO_REQUESTED: ['SUBMITTED', 'REFUSED', 'WITHDRAWN'],
    APPROVED: ['ISSUED'],
    ISSUED: ['REVOKED'],
    REFUSED: [],
    WITHDRAWN: [],
    REVOKED: [],
  },
});

export type EvisaStatus = StatusOf<typeof evisaMachine>;
