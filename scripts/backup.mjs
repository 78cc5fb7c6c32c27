#!/usr/bin/env node
// `npm run backup -- [--out DIR] [--files DIR]`: a consistent backup of the database at DATABASE_URL
// with `pg_dump -Fc`, the exact row count of every table at the moment of the dump, and a copy of
// the stored files (uploads, generated PDFs) from --files or STORAGE_DIR. Node built-ins only.
//
// Writes DIR/consular-<UTC time>.dump, .counts.json (what restore.mjs checks against) and, with
// files, .files/. The counts come from the very snapshot pg_dump reads (pg_export_snapshot), so
// they describe the dump exactly even while the portal keeps writing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  COUNT_ROWS_SQL,
  PSQL_ARGS,
  databaseUrlOrDevStack,
  describeUrl,
  libpqEnvironment,
  listFiles,
  parseArguments,
  parseCounts,
  printCounts,
  requireProgram,
  run,
} from './lib/pg-tools.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * A psql session holding a read-only repeatable-read transaction whose snapshot pg_dump shares;
 * the row counts are then read in that same transaction.
 */
function openSnapshotSession(env) {
  const psql = spawn('psql', PSQL_ARGS, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let snapshotFound;
  const snapshot = new Promise((resolve) => (snapshotFound = resolve));
  let waitingForSnapshot = true;
  psql.stdout.on('data', (chunk) => {
    stdout += chunk;
    const match = waitingForSnapshot && /^([0-9A-F]+-[0-9A-F]+(?:-\d+)?)$/im.exec(stdout);
    if (match) {
      waitingForSnapshot = false;
      stdout = stdout.slice(match.index + match[0].length);
      snapshotFound(match[1]);
    }
  });
  psql.stderr.on('data', (chunk) => (stderr += chunk));
  const closed = new Promise((resolve, reject) => {
    psql.on('error', reject);
    psql.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`psql failed (exit ${code}): ${stderr.trim()}`))));
  });
  psql.stdin.write('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\nSELECT pg_export_snapshot();\n');
  return {
    /** The snapshot id, or the reason psql ended before giving one. */
    snapshot: Promise.race([snapshot, closed.then(() => Promise.reject(new Error('psql ended before exporting a snapshot')))]),
    /** Counts the rows in the snapshot, then ends the transaction and the session. */
    async countAndClose() {
      psql.stdin.end(`${COUNT_ROWS_SQL};\nCOMMIT;\n`);
      return parseCounts(await closed);
    },
    abort() {
      psql.kill();
    },
  };
}

function timestamp() {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

async function main() {
  const { options } = parseArguments(process.argv.slice(2), ['out', 'files']);
  const databaseUrl = await databaseUrlOrDevStack('the database to back up');
  const env = libpqEnvironment(databaseUrl);
  console.log(`pg_dump: ${requireProgram('pg_dump')}`);

  const outDir = path.resolve(options.out ?? process.env.BACKUP_DIR ?? path.join(ROOT, '.data', 'backups'));
  fs.mkdirSync(outDir, { recursive: true });
  const base = path.join(outDir, `consular-${timestamp()}`);
  const dumpFile = `${base}.dump`;
  if (fs.existsSync(dumpFile)) throw new Error(`${dumpFile} already exists`);

  const session = openSnapshotSession(env);
  let counts;
  try {
    const snapshot = await session.snapshot;
    // Written under a temporary name first: a failed dump never looks like a backup.
    await run('pg_dump', ['--format=custom', `--snapshot=${snapshot}`, `--file=${dumpFile}.partial`], env);
    counts = await session.countAndClose();
  } catch (error) {
    session.abort();
    fs.rmSync(`${dumpFile}.partial`, { force: true });
    throw error;
  }
  fs.renameSync(`${dumpFile}.partial`, dumpFile);
  console.log(`database ${describeUrl(databaseUrl)} dumped to ${dumpFile} (${fs.statSync(dumpFile).size} bytes)`);
  printCounts('rows per table in the dump:', counts);

  // Files after the database: every file row in the dump was written (bytes first) before the
  // snapshot, so its bytes are already on disk. Files newer than the dump are copied too, harmlessly.
  const filesDir = options.files ?? process.env.STORAGE_DIR;
  let files = null;
  if (filesDir) {
    const source = path.resolve(filesDir);
    if (!fs.statSync(source, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`the files folder ${source} does not exist`);
    const target = `${base}.files`;
    const copied = listFiles(source);
    for (const file of copied) {
      const destination = path.join(target, path.relative(source, file));
      fs.mkdirSync(path.dirname(destination), { recursive: true });
      fs.copyFileSync(file, destination);
    }
    files = { count: copied.length, bytes: copied.reduce((sum, file) => sum + fs.statSync(file).size, 0) };
    console.log(`files: ${files.count} (${files.bytes} bytes) copied from ${source} to ${target}`);
  } else {
    console.log('files: NOT backed up (give --files DIR or set STORAGE_DIR): uploads and PDFs live outside the database');
  }

  fs.writeFileSync(`${base}.counts.json`, `${JSON.stringify({ createdAt: new Date().toISOString(), tables: counts, files }, null, 2)}\n`);
  console.log(`backup: ${dumpFile}`);
}

main().catch((error) => {
  console.error(`backup failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
