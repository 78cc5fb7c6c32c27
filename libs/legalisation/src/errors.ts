import { registerErrorCodes } from '@app/platform';

export const LegalisationErrors = registerErrorCodes({
  /** The chosen appointment is full, past, or not at the chosen post. */
  SLOT_UNAVAILABLE: 409,
  POST_NOT_OFFERING: 422,
  LEGALISATION_NOT_FOUND: 404,
  /** The answer to a request for information: wrong reference, surname or date of birth, or nothing was asked. */
  INFORMATION_REQUEST_NOT_FOUND: 404,
  FULFILMENT_NOT_ALLOWED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
});
