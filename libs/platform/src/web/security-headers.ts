import helmet from 'helmet';
import type { AppConfig } from '../config/config.js';

/**
 * The security headers of every response, computed once by helmet at start-up. Applying helmet's
 * middleware per request re-parses the CSP each time, which the profile showed as a tenth of a
 * constant route's CPU; the headers never vary, so they are captured once and copied per response.
 */
export function securityHeaders(config: AppConfig): ReadonlyArray<[string, string]> {
  const middleware = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
      },
    },
    strictTransportSecurity: config.env === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  const headers: [string, string][] = [];
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.push([name.toLowerCase(), String(value)]),
    removeHeader: () => undefined,
  };
  let failure: unknown;
  middleware({} as never, response as never, (error?: unknown) => (failure = error));
  if (failure) throw failure;
  return headers;
}
