import { registerErrorCodes } from '@app/platform';

export const CaseErrors = registerErrorCodes({
  INVALID_TRANSITION: 409,
  VERSION_CONFLICT: 409,
  CASE_NOT_FOUND: 404,
  INVALID_REFERENCE: 400,
});
