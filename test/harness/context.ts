import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { type AppConfig, loadConfig } from '@app/platform';
import { dataSourceOptions } from '@app/schema';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through npm test (jest global setup)`);
  return value;
}

export function adminUrl(database = 'postgres'): string {
  const url = new URL(required('TEST_PG_ADMIN_URL'));
  url.pathname = `/${database}`;
  return url.toString();
}

/** A database of this test file's own, cloned from the migrated and seeded template. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${required('TEST_TEMPLATE_DB')}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: adminUrl(name),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export const key = (): string => randomBytes(32).toString('base64');

/** A fresh P-256 private key as base64 PKCS8 DER, the format of SEAL_SIGNING_KEYS. */
export const sealSigningKey = (): string =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');

/** A complete, valid configuration for tests: own database, own queue prefix, fresh keys. */
export function testEnv(databaseUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  const storageDir = path.join(required('TEST_WORK_DIR'), `files-${randomUUID()}`);
  fs.mkdirSync(storageDir, { recursive: true });
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '10',
    REDIS_URL: required('TEST_REDIS_URL'),
    QUEUE_PREFIX: `t${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: 'silent',
    STORAGE_DIR: storageDir,
    FIELD_ENCRYPTION_KEYS: `k1:${key()}`,
    FIELD_ENCRYPTION_ACTIVE_KEY: 'k1',
    BLIND_INDEX_KEY: key(),
    LINK_SIGNING_KEY: key(),
    SEAL_SIGNING_KEYS: `S1:${sealSigningKey()}`,
    SEAL_ACTIVE_KEY: 'S1',
    BULL_BOARD_ENABLED: 'false',
    // Nothing listens on the discard port: tests that send mail start their own SMTP server.
    SMTP_URL: 'smtp://127.0.0.1:9',
    MAIL_FROM: 'Consular Services Portal <no-reply@consular.test>',
    ...overrides,
  };
}

export function testConfig(databaseUrl: string, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig(testEnv(databaseUrl, overrides));
}

export async function openDataSource(url: string): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(url, 10));
  await dataSource.initialize();
  return dataSource;
}

export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!accept(value)) {
    if (Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
    value = await probe();
  }
  return value;
}
