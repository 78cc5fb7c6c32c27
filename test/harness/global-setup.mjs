// Jest global setup: one PostgreSQL and one redis-server for the whole run, on free ports in a
// temporary folder, plus a template database with every migration and seed applied. Each test
// file then clones its own database from the template (see context.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startPostgres, startRedis } from '../../scripts/lib/services.mjs';
import { ensureDatabase } from '../../scripts/lib/stack.mjs';

export const TEMPLATE_DB = 'consular_template';

export default async function globalSetup() {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consular-test-'));
  const [pgPort, redisPort] = [await freePort(), await freePort()];
  const postgres = await startPostgres({ dataDir: path.join(workDir, 'postgres'), port: pgPort, fsync: false });
  const redis = await startRedis({ dataDir: path.join(workDir, 'redis'), port: redisPort, appendOnly: false });
  globalThis.__CONSULAR_STACK__ = { postgres, redis, workDir };

  const templateUrl = await ensureDatabase(postgres.url, TEMPLATE_DB);
  const schema = await import('../../dist/libs/schema/src/index.js');
  await schema.runMigrations(templateUrl);
  await schema.runSeeds(templateUrl);

  process.env.TEST_PG_ADMIN_URL = postgres.url;
  process.env.TEST_REDIS_URL = redis.url;
  process.env.TEST_TEMPLATE_DB = TEMPLATE_DB;
  process.env.TEST_WORK_DIR = workDir;
}
