import { registerErrorCodes } from '@app/platform';

export const EmergencyErrors = registerErrorCodes({
  /** No emergency case with this id in the officer's scope (another post's case looks the same). */
  EMERGENCY_CASE_NOT_FOUND: 404,
  EMERGENCY_IDEMPOTENCY_KEY_INVALID: 400,
});
