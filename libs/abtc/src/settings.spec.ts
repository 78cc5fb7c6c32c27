import { cardValidUntil, clearanceEconomies, loadAbtcSettings } from './settings.js';

describe('ABTC rules (abtc.json)', () => {
  const settings = loadAbtcSettings();

  it('asks every economy but the home economy, transitional members included', () => {
    const codes = clearanceEconomies(settings).map((e) => e.code);
    expect(codes).toHaveLength(20);
    expect(codes).not.toContain('TWN');
    expect(codes).toEqual(expect.arrayContaining(['CAN', 'USA', 'JPN']));
    expect(settings.feeTwd).toBe(5000);
  });

  it('is valid for five years, or until the passport expires if that is sooner', () => {
    expect(cardValidUntil(settings, '2026-11-25', '2035-01-01')).toBe('2031-11-25');
    expect(cardValidUntil(settings, '2026-11-25', '2029-03-31')).toBe('2029-03-31');
    expect(cardValidUntil(settings, '2028-02-29', '2040-01-01')).toBe('2033-02-28');
  });
});
