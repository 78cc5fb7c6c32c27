import type { AppConfig } from '@app/platform';

/** ASVS 3.3: 30 minutes idle, 12 hours absolute; a half-finished sign-in lasts 10 minutes. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3600_000;
export const PENDING_SIGN_IN_MS = 10 * 60_000;
/** How recent a password confirmation must be for a sensitive action. */
export const RECENT_AUTH_MS = 5 * 60_000;
/** last_seen_at is written at most this often, so browsing does not write on every request. */
export const SESSION_TOUCH_MS = 60_000;

export interface CookieSettings {
  path: '/';
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
}

/** In production the cookies are Secure and carry the __Host- prefix (no Domain, Path=/, HTTPS only). */
export function cookieSettings(config: Pick<AppConfig, 'env'>): CookieSettings {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: config.env === 'production' };
}

export function sessionCookieName(config: Pick<AppConfig, 'env'>): string {
  return config.env === 'production' ? '__Host-officer_session' : 'officer_session';
}

export function csrfCookieName(config: Pick<AppConfig, 'env'>): string {
  return config.env === 'production' ? '__Host-csrf' : 'csrf';
}
