import { registerErrorCodes } from '@app/platform';

export const NotificationErrors = registerErrorCodes({
  NOTIFICATION_NOT_FOUND: 404,
  NOTIFICATION_NOT_RESENDABLE: 409,
});
