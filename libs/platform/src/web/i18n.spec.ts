import { loadCatalogues, negotiateLocale } from './i18n.js';

describe('message catalogues', () => {
  it('have the same keys in English and Traditional Chinese, with no empty strings', () => {
    const catalogues = loadCatalogues();
    expect(Object.keys(catalogues['zh-Hant']).sort()).toEqual(Object.keys(catalogues.en).sort());
    for (const catalogue of Object.values(catalogues)) {
      for (const [key, value] of Object.entries(catalogue)) expect([key, value.trim().length > 0]).toEqual([key, true]);
    }
  });

  it('chooses the explicit choice, then the cookie, then Accept-Language', () => {
    expect(negotiateLocale('zh-Hant', 'en', 'en')).toBe('zh-Hant');
    expect(negotiateLocale(undefined, 'zh-Hant', 'en')).toBe('zh-Hant');
    expect(negotiateLocale(undefined, undefined, 'zh-TW,zh;q=0.9,en;q=0.8')).toBe('zh-Hant');
    expect(negotiateLocale(undefined, undefined, 'fr-FR,en;q=0.5')).toBe('en');
    expect(negotiateLocale('xx', 'yy', undefined)).toBe('en');
  });
});
