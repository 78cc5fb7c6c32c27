import fs from 'node:fs';
import path from 'node:path';
import { libraryFolders } from './project-root.js';

export const LOCALES = ['en', 'zh-Hant'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export type Catalogue = Record<string, string>;

/** Every library keeps its strings in `libs/<name>/i18n/<locale>.json`; they merge into one catalogue per locale. */
export function loadCatalogues(): Record<Locale, Catalogue> {
  const catalogues = { en: {}, 'zh-Hant': {} } as Record<Locale, Catalogue>;
  for (const folder of libraryFolders('i18n')) {
    for (const locale of LOCALES) {
      const file = path.join(folder, `${locale}.json`);
      if (!fs.existsSync(file)) continue;
      const strings = JSON.parse(fs.readFileSync(file, 'utf8')) as Catalogue;
      for (const [key, value] of Object.entries(strings)) {
        if (key in catalogues[locale]) throw new Error(`message key "${key}" is defined twice (${file})`);
        catalogues[locale][key] = value;
      }
    }
  }
  return catalogues;
}

export type Translate = (key: string, params?: Record<string, string | number>) => string;

export class Messages {
  constructor(private readonly catalogues: Record<Locale, Catalogue> = loadCatalogues()) {}

  translator(locale: Locale): Translate {
    const catalogue = this.catalogues[locale];
    const fallback = this.catalogues[DEFAULT_LOCALE];
    return (key, params) => {
      const template = catalogue[key] ?? fallback[key] ?? key;
      if (!params) return template;
      return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
    };
  }

  keys(locale: Locale): string[] {
    return Object.keys(this.catalogues[locale]);
  }
}

/** Picks the locale for a request: an explicit choice, then the cookie, then Accept-Language. */
export function negotiateLocale(query: unknown, cookie: unknown, acceptLanguage: string | undefined): Locale {
  if (isLocale(query)) return query;
  if (isLocale(cookie)) return cookie;
  const header = (acceptLanguage ?? '').toLowerCase();
  const wanted = header
    .split(',')
    .map((part) => {
      const [tag, q] = part.trim().split(';q=');
      return { tag: tag ?? '', q: q ? Number(q) : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of wanted) {
    if (tag.startsWith('zh')) return 'zh-Hant';
    if (tag.startsWith('en')) return 'en';
  }
  return DEFAULT_LOCALE;
}
