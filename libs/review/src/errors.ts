import { registerErrorCodes } from '@app/platform';

export const ReviewErrors = registerErrorCodes({
  CLAIM_NOT_HELD: 409,
  ACTION_NOT_ALLOWED: 409,
  UNKNOWN_OFFICER: 422,
});
