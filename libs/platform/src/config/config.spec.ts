import { randomBytes } from 'node:crypto';
import { ConfigError } from './config-error.js';
import { loadConfig } from './config.js';

const key = randomBytes(32).toString('base64');
const valid = {
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

  it('lists every bad variable in one error', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'eighty', NODE_ENV: 'staging', REDIS_URL: 'http://x', BLIND_INDEX_KEY: 'c2hvcnQ=' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'NODE_ENV', 'DATABASE_URL', 'REDIS_URL', 'FIELD_ENCRYPTION_KEYS', 'BLIND_INDEX_KEY', 'LINK_SIGNING_KEY']) {
      expect(problems).toContain(name);
    }
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
