import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../scripts/lib/services.mjs';

/**
 * The API and the worker as real operating-system processes, started from the snapshot of dist/
 * that the Jest global setup takes before any test runs (see snapshotCompiledApp there): the
 * dev-stack test rebuilds dist/ while other files run, and a process loading a file mid-rebuild
 * would fail for reasons that have nothing to do with the test.
 */
export interface AppProcess {
  readonly name: string;
  readonly pid: number;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  alive(): boolean;
  /** SIGKILL: no shutdown hook, no flush, no goodbye; resolves once the process is gone. */
  crash(): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

export interface ApiProcess extends AppProcess {
  readonly baseUrl: string;
  readonly port: number;
}

const running = new Set<AppProcess>();

function snapshot(): string {
  const dir = process.env.TEST_APP_SNAPSHOT;
  if (!dir) throw new Error('TEST_APP_SNAPSHOT is not set: run the tests through npm test (jest global setup)');
  return dir;
}

function start(name: string, entry: string, env: Record<string, string>): AppProcess {
  const child: ChildProcess = spawn(process.execPath, [path.join(snapshot(), entry)], {
    cwd: snapshot(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const handle: AppProcess = {
    name,
    pid: child.pid!,
    output: () => output,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    async crash() {
      if (handle.alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!handle.alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  return handle;
}

async function waitFor<T>(label: string, app: AppProcess, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!app.alive()) throw new Error(`${label}: the process exited (${await app.exited}):\n${app.output()}`);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${label} within ${timeoutMs} ms:\n${app.output()}`);
}

/** Starts `node dist/apps/api/src/main.js` on a free port and waits until /health/live answers. */
export async function startApiProcess(env: Record<string, string>, port?: number): Promise<ApiProcess> {
  const chosen = port ?? (await freePort());
  const app = start('api', 'dist/apps/api/src/main.js', { ...env, HOST: '127.0.0.1', PORT: String(chosen) });
  const baseUrl = `http://127.0.0.1:${chosen}`;
  await waitFor(
    'the API did not answer /health/live',
    app,
    async () => ((await fetch(`${baseUrl}/health/live`)).ok ? true : undefined),
    60_000,
  );
  return Object.assign(app, { baseUrl, port: chosen });
}

/**
 * Starts `node dist/apps/worker/src/main.js` and waits until it has started (it prints
 * "worker started" once its BullMQ workers and the outbox relay run).
 */
export async function startWorkerProcess(env: Record<string, string>): Promise<AppProcess> {
  const worker = start('worker', 'dist/apps/worker/src/main.js', env);
  await waitFor('the worker did not start', worker, async () => (worker.output().includes('worker started') ? true : undefined), 60_000);
  return worker;
}

/** For afterAll: whatever a failed test left running. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((p) => p.crash()));
}

/**
 * Backends of `database` that wait for a lock while running a statement matching `query` (a
 * substring): how a test sees a process stopped at a known point without any hook in its code.
 */
export async function backendsWaitingOnLock(adminUrl: string, database: string, query: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND wait_event_type = 'Lock' AND position($2 in query) > 0`,
      [database, query],
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}
