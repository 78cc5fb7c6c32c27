import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../web/project-root.js';

/**
 * `npm run dev` starts PostgreSQL and Redis on ports it picks and generates the keys; it writes them
 * here so that the operator commands (`npm run officer:create`, `audit:verify`, `migrate`, `seed`,
 * `backup`, `restore`) run against it with nothing set by hand. Development only: production sets
 * DATABASE_URL, and these commands never read the file when NODE_ENV is production.
 */
interface DevStackRecord {
  /** The `npm run dev` process: the file describes a running stack only while it lives. */
  pid: number;
  env: Record<string, string>;
}

/** `.data/dev-stack.json`, or in DEV_DATA_DIR when `npm run dev` was given one. */
export function devStackFile(env: NodeJS.ProcessEnv = process.env): string {
  const dataDir = env.DEV_DATA_DIR ? path.resolve(env.DEV_DATA_DIR) : path.join(projectRoot(), '.data');
  return path.join(dataDir, 'dev-stack.json');
}

/** Called by `npm run dev` once its stack is up. Mode 0600: the file holds the database password and the keys. */
export function writeDevStackFile(file: string, env: Record<string, string>, pid = process.pid): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const record: DevStackRecord = { pid, env };
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

/** Called by `npm run dev` as it stops: removes the file if it still describes this process's stack. */
export function removeDevStackFile(file: string, pid = process.pid): void {
  try {
    if ((JSON.parse(fs.readFileSync(file, 'utf8')) as DevStackRecord).pid === pid) fs.rmSync(file, { force: true });
  } catch {
    // no file, or not ours to remove
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * DATABASE_URL for an operator command. When it is not set and NODE_ENV is not production, the
 * running `npm run dev` stack's file fills every variable that is not set (the keys, REDIS_URL…),
 * and stderr says which file was used. Otherwise the error says what to do.
 */
export function databaseUrlOrDevStack(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (env.NODE_ENV === 'production') throw new Error('DATABASE_URL is required');
  const file = devStackFile(env);
  const shown = path.relative(process.cwd(), file) || file;
  if (!fs.existsSync(file)) {
    throw new Error(`DATABASE_URL is required; in development, start \`npm run dev\` first and this command finds its stack in ${shown}`);
  }
  const record = JSON.parse(fs.readFileSync(file, 'utf8')) as DevStackRecord;
  if (!running(record.pid)) {
    throw new Error(`DATABASE_URL is required: ${shown} describes an \`npm run dev\` that has stopped (pid ${record.pid}); start it again`);
  }
  for (const [name, value] of Object.entries(record.env)) env[name] ??= value;
  process.stderr.write(`using the development stack of \`npm run dev\` (pid ${record.pid}) described in ${shown}\n`);
  return env.DATABASE_URL!;
}
