import { registerErrorCodes } from '@app/platform';

export const StatusErrors = registerErrorCodes({
  /** Unknown reference, or wrong surname or date of birth: one answer for all. */
  STATUS_NOT_FOUND: 404,
  STATUS_LOOKUP_LOCKED: 429,
  DOCUMENT_NOT_FOUND: 404,
  SHARE_CODE_NOT_FOUND: 404,
  SHARE_CODE_NOT_ALLOWED: 409,
  SHARE_CODE_LIMIT: 409,
  EMAIL_CODE_INVALID: 400,
  EMAIL_CODE_WRONG: 400,
  EMAIL_CODE_LOCKED: 429,
  EMAIL_UNAVAILABLE: 503,
  MY_CASES_SIGNED_OUT: 401,
});
