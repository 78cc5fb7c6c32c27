import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import nunjucks from 'nunjucks';
import path from 'node:path';
import type { AppConfig } from '../config/config.js';
import type { Messages } from './i18n.js';
import { DEFAULT_LOCALE, type Locale, LOCALES, negotiateLocale, type Translate } from './i18n.js';
import { libraryFolders, projectRoot } from './project-root.js';

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale;
    t: Translate;
  }
  interface FastifyReply {
    locals?: Record<string, unknown>;
  }
}

const LOCALE_COOKIE = 'lang';
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/**
 * The web layer every service's pages build on: Nunjucks templates from each library's `views/`,
 * static assets with cache headers, and the locale of each request (switcher link, cookie, then
 * Accept-Language) with its translator exposed to templates as `t`.
 */
export async function registerWebLayer(fastify: FastifyInstance, config: AppConfig, messages: Messages): Promise<void> {
  const englishOnly = messages.translator(DEFAULT_LOCALE);
  await fastify.register(fastifyCookie);
  await fastify.register(fastifyStatic, {
    root: path.join(projectRoot(), 'libs/platform/static'),
    prefix: '/static/',
    maxAge: config.env === 'production' ? '7d' : 0,
    immutable: config.env === 'production',
  });
  await fastify.register(fastifyView, {
    engine: { nunjucks },
    templates: libraryFolders('views'),
    production: config.env === 'production',
    options: {
      autoescape: true,
      throwOnUndefined: false,
      onConfigure: (env: nunjucks.Environment) => {
        env.addGlobal('locales', LOCALES);
        env.addFilter('date', (value: Date | string | null, locale: Locale) => formatDate(value, locale));
        env.addFilter('datetime', (value: Date | string | null, locale: Locale, timeZone?: string) =>
          formatDateTime(value, locale, timeZone),
        );
      },
    },
  });

  fastify.addHook('preValidation', async (request: FastifyRequest) => emptyFormWhenNotAnObject(request));

  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!wantsPage(request.url)) {
      request.locale = DEFAULT_LOCALE;
      request.t = englishOnly;
      return;
    }
    const query = request.query as Record<string, unknown> | undefined;
    const chosen = query?.lang;
    // The language switcher's parameter belongs to this layer, not to the page's own query DTO.
    if (query && 'lang' in query) delete query.lang;
    const locale = negotiateLocale(chosen, request.cookies?.[LOCALE_COOKIE], request.headers['accept-language']);
    if (chosen === locale) {
      reply.setCookie(LOCALE_COOKIE, locale, {
        path: '/',
        sameSite: 'lax',
        httpOnly: true,
        secure: config.env === 'production',
        maxAge: ONE_YEAR_SECONDS,
      });
    }
    request.locale = locale;
    request.t = messages.translator(locale);
    const pathOnly = request.url.split('?')[0] ?? '/';
    reply.locals = {
      ...(reply.locals ?? {}),
      locale,
      t: request.t,
      currentPath: pathOnly,
      langLinks: LOCALES.map((code) => ({ code, href: `${pathOnly}?lang=${encodeURIComponent(code)}`, current: code === locale })),
    };
  });
}

/** JSON, probes and assets need no locale negotiation, cookies or template locals. */
function wantsPage(url: string): boolean {
  return !(url.startsWith('/api/') || url.startsWith('/health/') || url === '/metrics' || url.startsWith('/static/'));
}

/** Page forms are objects; any other body a page receives (none, null, a JSON scalar) reads as an empty form. */
function emptyFormWhenNotAnObject(request: FastifyRequest): void {
  if (!wantsPage(request.url)) return;
  if (request.body === null || request.body === undefined || typeof request.body !== 'object' || Array.isArray(request.body)) {
    request.body = {};
  }
}

function formatDate(value: Date | string | null, locale: Locale): string {
  if (!value) return '';
  const date = typeof value === 'string' ? new Date(value) : value;
  return new Intl.DateTimeFormat(locale === 'zh-Hant' ? 'zh-TW' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

function formatDateTime(value: Date | string | null, locale: Locale, timeZone = 'UTC'): string {
  if (!value) return '';
  const date = typeof value === 'string' ? new Date(value) : value;
  return new Intl.DateTimeFormat(locale === 'zh-Hant' ? 'zh-TW' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    date,
  );
}
