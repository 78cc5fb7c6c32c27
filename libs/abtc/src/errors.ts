import { registerErrorCodes } from '@app/platform';

export const AbtcErrors = registerErrorCodes({
  ABTC_NOT_FOUND: 404,
  /** Issuing or refusing while an economy has not answered, or recording an answer twice. */
  CLEARANCE_NOT_ALLOWED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
});
