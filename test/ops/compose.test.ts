// docker/compose.yml as docker-compose resolves it (.ci/run installs docker-compose; no Docker daemon is needed).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { load } from 'js-yaml';
import { loadConfig } from '@app/platform';
import { key, sealSigningKey } from '../harness/context.js';

type Service = { command?: string[]; environment?: Record<string, string>; healthcheck?: { test?: string[] } };

/** Only these variables reach docker-compose, so nothing from the machine's environment leaks in. */
function composeConfig(variables: Record<string, string>) {
  const result = spawnSync('docker-compose', ['-f', 'docker/compose.yml', 'config'], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...variables },
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  return result;
}

const SECRETS = {
  POSTGRES_PASSWORD: 'compose-test-password',
  FIELD_ENCRYPTION_KEYS: `k1:${key()}`,
  FIELD_ENCRYPTION_ACTIVE_KEY: 'k1',
  BLIND_INDEX_KEY: key(),
  LINK_SIGNING_KEY: key(),
  SEAL_SIGNING_KEYS: `S1:${sealSigningKey()}`,
};

describe('docker/compose.yml', () => {
  it('resolves, and gives the API, the worker and the migration the configuration loadConfig needs', () => {
    const result = composeConfig(SECRETS);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    const services = (load(result.stdout) as { services: Record<string, Service> }).services;
    expect(Object.keys(services).sort()).toEqual(['api', 'maildev', 'migrate', 'postgres', 'redis', 'worker']);

    const scripts = JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    expect(services.api!.command!.join(' ')).toBe(scripts['start:api']);
    expect(services.worker!.command!.join(' ')).toBe(scripts['start:worker']);
    expect(services.migrate!.command!.join(' ')).toContain(`${scripts.migrate} && ${scripts.seed}`);

    for (const name of ['api', 'worker', 'migrate']) {
      const config = loadConfig(services[name]!.environment);
      expect(config.env).toBe('production');
      expect(config.databaseUrl).toBe('postgres://consular:compose-test-password@postgres:5432/consular');
    }
    // Inside a container, 127.0.0.1 (the default) cannot be reached through the published port.
    expect(loadConfig(services.api!.environment).host).toBe('0.0.0.0');
    // The image's HEALTHCHECK calls the API port, which the worker does not open; it serves its metrics on its own port.
    expect(services.worker!.healthcheck?.test).toEqual(['NONE']);
    expect(loadConfig(services.worker!.environment).workerMetricsPort).toBe(9464);
    expect(loadConfig(services.api!.environment).workerMetricsPort).toBeNull();
  });

  it('refuses to resolve without a required secret', () => {
    const { FIELD_ENCRYPTION_KEYS: _left, ...missing } = SECRETS;
    const result = composeConfig(missing);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set FIELD_ENCRYPTION_KEYS');
  });
});
