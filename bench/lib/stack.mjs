// The stack that `npm run bench` and `npm run soak` measure: embedded PostgreSQL and a local
// redis-server in a throwaway folder (or DATABASE_URL / REDIS_URL when given), migrated and seeded,
// then the compiled API and worker in production mode with fresh keys, mailing a local SMTP sink.
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { freePort, startPostgres, startRedis } from '../../scripts/lib/services.mjs';
import { ensureDatabase, ephemeralSecrets, migrateAndSeed, startNode, stopChild, waitForHttp } from '../../scripts/lib/stack.mjs';

/**
 * Starts everything under `workDir` and waits for /health/ready. `children` holds every process to
 * stop (add your own); `stop()` ends them, then Redis and PostgreSQL.
 */
/** A local SMTP server that accepts and counts every message (production mode requires a mail server). */
export async function startSmtpSink() {
  const port = await freePort();
  const sink = { url: `smtp://127.0.0.1:${port}`, received: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        sink.received++;
        callback();
      });
    },
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  sink.stop = () => new Promise((resolve) => server.close(resolve));
  return sink;
}

export async function startStack(workDir) {
  const stack = {
    children: [],
    postgres: null,
    redis: null,
    smtp: null,
    async stop() {
      await Promise.all(stack.children.map((child) => stopChild(child)));
      await stack.redis?.stop();
      await stack.postgres?.stop();
      await stack.smtp?.stop();
    },
  };
  try {
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      BULL_BOARD_ENABLED: 'false',
      ...ephemeralSecrets(),
      STORAGE_DIR: path.join(workDir, 'files'),
      MAIL_FROM: 'Consular Services Portal <no-reply@consular.localhost>',
    };
    stack.smtp = await startSmtpSink();
    env.SMTP_URL = stack.smtp.url;
    if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
    else {
      stack.postgres = await startPostgres({ dataDir: path.join(workDir, 'postgres'), port: await freePort() });
      env.DATABASE_URL = await ensureDatabase(stack.postgres.url, 'consular_bench');
    }
    if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
    else {
      stack.redis = await startRedis({ dataDir: path.join(workDir, 'redis'), port: await freePort(), appendOnly: true });
      env.REDIS_URL = stack.redis.url;
    }
    migrateAndSeed(env);
    const apiPort = await freePort();
    const api = startNode('api', 'dist/apps/api/src/main.js', {
      ...env,
      PORT: String(apiPort),
      PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
    });
    const worker = startNode('worker', 'dist/apps/worker/src/main.js', env);
    stack.children.push(api, worker);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitForHttp(`${apiUrl}/health/ready`, 60_000);
    return Object.assign(stack, { env, api, worker, apiUrl });
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
