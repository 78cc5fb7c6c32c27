import { registerErrorCodes } from '@app/platform';

export const PassportErrors = registerErrorCodes({
  PASSPORT_NOT_FOUND: 404,
  /** The answer to a request for information: wrong reference, surname or date of birth, or nothing was asked. */
  PASSPORT_INFORMATION_REQUEST_NOT_FOUND: 404,
  /** The case is not at the step this action belongs to. */
  PASSPORT_STEP_NOT_ALLOWED: 409,
  /** Printing and dispatch are HQ's; making ready and handing over are the collecting post's. */
  PASSPORT_WRONG_OFFICE: 403,
  PASSPORT_NUMBER_TAKEN: 409,
  PASSPORT_IDEMPOTENCY_KEY_REUSED: 422,
  PASSPORT_PHOTO_REFUSED: 422,
  PASSPORT_NOT_MULTIPART: 415,
  PASSPORT_POST_NOT_OFFERING: 422,
});
