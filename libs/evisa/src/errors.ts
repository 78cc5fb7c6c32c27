import { registerErrorCodes } from '@app/platform';

export const EvisaErrors = registerErrorCodes({
  NOT_ELIGIBLE: 422,
  DRAFT_NOT_FOUND: 404,
  DRAFT_CLOSED: 409,
  APPLICATION_INCOMPLETE: 422,
  PAYMENT_REQUIRED: 402,
  PAYMENT_NOT_FOUND: 404,
  PAYMENT_IN_PROGRESS: 409,
  ALREADY_PAID: 409,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  FILE_TYPE_MISMATCH: 422,
  FILE_UNREADABLE: 422,
  PHOTO_DIMENSIONS: 422,
  FILE_REQUIRED: 400,
  NOT_MULTIPART: 415,
  /** A multipart body cut short or not valid multipart (busboy's own errors carry no status). */
  MULTIPART_MALFORMED: 400,
  APPLICATION_NOT_FOUND: 404,
  CLAIM_REQUIRED: 409,
  OUT_OF_SCOPE: 403,
  NO_OPEN_INFORMATION_REQUEST: 409,
  SANDBOX_DISABLED: 404,
  /** A download link that is not valid, has expired, or names no eVisa. */
  EVISA_DOCUMENT_NOT_FOUND: 404,
  /** The case has no eVisa to download yet. */
  EVISA_NOT_ISSUED: 409,
  EVISA_REVOKED: 410,
});
