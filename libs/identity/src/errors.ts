import { registerErrorCodes } from '@app/platform';

export const IdentityErrors = registerErrorCodes({
  CSRF_TOKEN_INVALID: 403,
  REAUTH_REQUIRED: 403,
  OFFICER_NOT_FOUND: 404,
  ACCESS_TOKEN_NOT_FOUND: 404,
  USERNAME_TAKEN: 409,
});
