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
});
