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
  process.env.TEST_APP_SNAPSHOT = snapshotCompiledApp(workDir);
}

/**
 * A copy of the compiled apps for tests that spawn them as processes (test/harness/processes.ts).
 * The dev-stack test rebuilds dist/ while other test files run (tsc rewrites every file, then
 * tsc-alias rewrites the imports), so a process started from dist/ at that moment can load a
 * truncated or not-yet-aliased file. Here nothing is compiling yet. The copy's package.json (for
 * "type": "module" and the project root) and links to libs/ (templates, messages, data) and
 * node_modules make it run exactly like the original.
 */
function snapshotCompiledApp(workDir) {
  const root = path.resolve(import.meta.dirname, '../..');
  const snapshot = path.join(workDir, 'app');
  fs.mkdirSync(snapshot);
  fs.cpSync(path.join(root, 'dist'), path.join(snapshot, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(snapshot, 'package.json'));
  fs.symlinkSync(path.join(root, 'libs'), path.join(snapshot, 'libs'));
  fs.symlinkSync(fs.realpathSync(path.join(root, 'node_modules')), path.join(snapshot, 'node_modules'));
  return snapshot;
}
