import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { ConfigError } from './config-error.js';
import { loadConfig } from './config.js';

const key = randomBytes(32).toString('base64');
const sealKey = (namedCurve = 'P-256') =>
  generateKeyPairSync('ec', { namedCurve }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
const valid = {
  SEAL_SIGNING_KEYS: `S1:${sealKey()}`,
  DATABASE_URL: 'postgres://u:p@localhost:5432/db',
  REDIS_URL: 'redis://localhost:6379',
  FIELD_ENCRYPTION_KEYS: `a:${key}`,
  BLIND_INDEX_KEY: key,
  LINK_SIGNING_KEY: key,
};

describe('loadConfig', () => {
  it('accepts a complete environment', () => {
    const config = loadConfig(valid);
    expect(config.crypto.activeFieldKeyId).toBe('a');
    expect(config.port).toBe(3000);
  });

  it('keeps closed cases 730 days unless RETENTION_CLOSED_CASE_DAYS says otherwise, and refuses a period that is not whole days', () => {
    expect(loadConfig(valid).retention.closedCaseDays).toBe(730);
    expect(loadConfig({ ...valid, RETENTION_CLOSED_CASE_DAYS: '3650' }).retention.closedCaseDays).toBe(3650);
    for (const bad of ['0', '-5', '1.5', 'two years']) {
      expect(() => loadConfig({ ...valid, RETENTION_CLOSED_CASE_DAYS: bad })).toThrow(/RETENTION_CLOSED_CASE_DAYS must be an integer/);
    }
  });

  it('reads the queue job lock and the notification send lease, refusing values out of range and a short lease in production', () => {
    expect([loadConfig(valid).queueJobLockSeconds, loadConfig(valid).notifications.sendLeaseSeconds]).toEqual([30, 180]);
    const short = loadConfig({ ...valid, QUEUE_JOB_LOCK_SECONDS: '3', NOTIFICATION_LEASE_SECONDS: '5' });
    expect([short.queueJobLockSeconds, short.notifications.sendLeaseSeconds]).toEqual([3, 5]);
    for (const bad of ['1', '601', '2.5']) {
      expect(() => loadConfig({ ...valid, QUEUE_JOB_LOCK_SECONDS: bad })).toThrow(
        /QUEUE_JOB_LOCK_SECONDS must be an integer from 2 to 600/,
      );
    }
    expect(() => loadConfig({ ...valid, NOTIFICATION_LEASE_SECONDS: '0' })).toThrow(/NOTIFICATION_LEASE_SECONDS must be an integer/);
    const production = { ...valid, NODE_ENV: 'production', SMTP_URL: 'smtps://mail.example.gov', MAIL_FROM: 'no-reply@example.gov' };
    expect(loadConfig({ ...production, NOTIFICATION_LEASE_SECONDS: '90' }).notifications.sendLeaseSeconds).toBe(90);
    expect(() => loadConfig({ ...production, NOTIFICATION_LEASE_SECONDS: '5' })).toThrow(
      /NOTIFICATION_LEASE_SECONDS must be at least 90 in production/,
    );
  });

  it('serves the worker metrics only when WORKER_METRICS_PORT is set, and refuses a port out of range', () => {
    expect(loadConfig(valid).workerMetricsPort).toBeNull();
    expect(loadConfig({ ...valid, WORKER_METRICS_PORT: '9464' }).workerMetricsPort).toBe(9464);
    expect(loadConfig({ ...valid, WORKER_METRICS_PORT: '0' }).workerMetricsPort).toBe(0);
    for (const bad of ['65536', '-1', 'metrics']) {
      expect(() => loadConfig({ ...valid, WORKER_METRICS_PORT: bad })).toThrow(/WORKER_METRICS_PORT must be an integer from 0 to 65535/);
    }
  });

  it('lists every bad variable in one error', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'eighty', NODE_ENV: 'staging', REDIS_URL: 'http://x', BLIND_INDEX_KEY: 'c2hvcnQ=' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const name of [
      'PORT',
      'NODE_ENV',
      'DATABASE_URL',
      'REDIS_URL',
      'FIELD_ENCRYPTION_KEYS',
      'BLIND_INDEX_KEY',
      'LINK_SIGNING_KEY',
      'SEAL_SIGNING_KEYS',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('loads the seal signing keyring, the last key active unless SEAL_ACTIVE_KEY says otherwise', () => {
    const two = loadConfig({ ...valid, SEAL_SIGNING_KEYS: `OLD:${sealKey()},NEW:${sealKey()}` });
    expect([...two.seal.signingKeys.keys()]).toEqual(['OLD', 'NEW']);
    expect(two.seal.activeKeyId).toBe('NEW');
    expect(loadConfig({ ...valid, SEAL_SIGNING_KEYS: `OLD:${sealKey()},NEW:${sealKey()}`, SEAL_ACTIVE_KEY: 'OLD' }).seal.activeKeyId).toBe(
      'OLD',
    );
  });

  it('lists every bad seal signing key without echoing key material', () => {
    const material = sealKey();
    let caught: unknown;
    try {
      loadConfig({
        ...valid,
        SEAL_SIGNING_KEYS: [
          `GOOD:${sealKey()}`,
          `lower:${sealKey()}`,
          `P384:${sealKey('P-384')}`,
          `JUNK:${key}`,
          material,
          `GOOD:${sealKey()}`,
        ].join(','),
        SEAL_ACTIVE_KEY: 'MISSING',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toEqual([
      expect.stringContaining('entry 2 ("lower")'),
      expect.stringContaining('entry 3 ("P384"): not a P-256 private key'),
      expect.stringContaining('entry 4 ("JUNK"): not a P-256 private key'),
      expect.stringContaining('entry 5 ("")'),
      expect.stringContaining('entry 6 ("GOOD"): the key id is used twice'),
      expect.stringContaining('SEAL_ACTIVE_KEY "MISSING"'),
    ]);
    expect(problems.join('\n')).not.toContain(material.slice(0, 40));
  });

  it('defaults mail for development, requires it in production, and checks the SMS webhook', () => {
    expect(loadConfig(valid).mail.smtpUrl).toBe('smtp://127.0.0.1:1025');
    expect(loadConfig(valid).sms.webhookUrl).toBeNull();
    let caught: unknown;
    try {
      loadConfig({ ...valid, NODE_ENV: 'production', SMS_WEBHOOK_URL: 'http://sms.example/send', MAIL_FROM: 'not an address' });
    } catch (error) {
      caught = error;
    }
    const problems = (caught as ConfigError).problems.join('\n');
    for (const name of ['SMTP_URL', 'SMS_WEBHOOK_URL', 'MAIL_FROM']) expect(problems).toContain(name);
  });
});
