import { REFUSAL_REASONS as QUEUE_REASONS } from '@app/review';
import { REFUSAL_REASONS } from '../officer-actions.service.js';

describe('eVisa refusal reasons', () => {
  it('are exactly the codes the review queue offers officers', () => {
    expect([...REFUSAL_REASONS].sort()).toEqual(QUEUE_REASONS.map((r) => r.code).sort());
  });
});
