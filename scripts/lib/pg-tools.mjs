// What scripts/backup.mjs and scripts/restore.mjs share: running PostgreSQL's client programs
// (pg_dump, pg_restore, psql from PATH) against a DATABASE_URL, and counting rows. Node built-ins only.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * DATABASE_URL, or in development without it the running `npm run dev` stack's, through the same
 * code as the compiled CLIs (libs/platform/src/config/dev-stack.ts, built by `npm run dev`).
 * `what` says which database the command needs, for the error when there is none.
 */
export async function databaseUrlOrDevStack(what) {
  const compiled = path.join(ROOT, 'dist/libs/platform/src/config/dev-stack.js');
  if (!process.env.DATABASE_URL && process.env.NODE_ENV !== 'production' && fs.existsSync(compiled)) {
    return (await import(pathToFileURL(compiled).href)).databaseUrlOrDevStack();
  }
  if (!process.env.DATABASE_URL) throw new Error(`DATABASE_URL is required: ${what}`);
  return process.env.DATABASE_URL;
}

/** Query parameters of a postgres:// URL that libpq also takes from the environment. */
const URL_PARAMETERS = {
  host: 'PGHOST',
  port: 'PGPORT',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  application_name: 'PGAPPNAME',
};

/**
 * The libpq environment (PGHOST, PGUSER, PGPASSWORD…) for a postgres:// URL. The client programs get
 * the password this way rather than on their command line, where `ps` would show it to anyone.
 */
export function libpqEnvironment(databaseUrl, database) {
  let url;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new Error('DATABASE_URL must be a postgres:// URL');
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('PG')) delete env[name];
  if (url.hostname) env.PGHOST = url.hostname.replace(/^\[|\]$/g, '');
  if (url.port) env.PGPORT = url.port;
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  env.PGDATABASE = database ?? decodeURIComponent(url.pathname.slice(1));
  for (const [name, value] of url.searchParams) {
    const variable = URL_PARAMETERS[name];
    if (!variable)
      throw new Error(`DATABASE_URL parameter "${name}" is not supported here (supported: ${Object.keys(URL_PARAMETERS).join(', ')})`);
    env[variable] = value;
  }
  if (!env.PGDATABASE) throw new Error('DATABASE_URL names no database');
  return env;
}

/** The URL with its password masked, for messages. */
export function describeUrl(databaseUrl, database) {
  const url = new URL(databaseUrl);
  if (url.password) url.password = '***';
  if (database) url.pathname = `/${database}`;
  return url.toString();
}

/** Stops with a clear message when a PostgreSQL client program is not on PATH. */
export function requireProgram(name) {
  const found = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error(`${name} is not on PATH: install PostgreSQL's client programs (Debian: apt-get install postgresql-client)`);
  }
  return found.stdout.trim();
}

/** Runs a program to completion; rejects with its standard error when it fails. */
export function run(program, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${program} failed (exit ${code}): ${stderr.trim() || stdout.trim()}`));
    });
  });
}

/** Exact row counts of every table of every schema but the system ones, as `schema.table` (public tables by name). */
export const COUNT_ROWS_SQL = `
  SELECT CASE WHEN table_schema = 'public' THEN table_name ELSE table_schema || '.' || table_name END,
         (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
    FROM information_schema.tables
   WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
   ORDER BY 1`;

/** Parses psql's unaligned, tuples-only, tab-separated output of COUNT_ROWS_SQL. */
export function parseCounts(output) {
  const counts = {};
  for (const line of output.split('\n')) {
    const match = /^(\S+)\t(\d+)$/.exec(line.trim());
    if (match) counts[match[1]] = Number(match[2]);
  }
  return counts;
}

export const PSQL_ARGS = ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1'];

export async function countRows(env) {
  return parseCounts(await run('psql', [...PSQL_ARGS, '-c', COUNT_ROWS_SQL], env));
}

export function printCounts(title, counts) {
  const names = Object.keys(counts);
  const width = Math.max(5, ...names.map((n) => n.length));
  console.log(title);
  for (const name of names) console.log(`  ${name.padEnd(width)}  ${String(counts[name]).padStart(10)}`);
}

/** Every file under a folder (recursively), skipping the storage adapter's half-written `.partial` files. */
export function listFiles(root) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !entry.name.endsWith('.partial')) found.push(full);
    }
  };
  walk(root);
  return found;
}

export function sha256File(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Reads `--name value` options and positional arguments. */
export function parseArguments(argv, known) {
  const options = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (!known.includes(name)) throw new Error(`unknown option ${arg} (known: ${known.map((k) => `--${k}`).join(', ')})`);
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
    options[name] = value;
  }
  return { options, positional };
}
