#!/usr/bin/env node
// `npm run restore -- <backup.dump> [--database NAME] [--files DIR]`: restores a backup made by
// backup.mjs into a NEW database on the server of DATABASE_URL (it never writes into an existing
// one), then checks it: the row count of every table against the backup's .counts.json and, with
// --files, every stored file's size and sha256 against the `file` table. Node built-ins only.
// Exits 1 when anything differs. Then point DATABASE_URL (and STORAGE_DIR) at what it restored.
import fs from 'node:fs';
import path from 'node:path';
import {
  PSQL_ARGS,
  countRows,
  databaseUrlOrDevStack,
  describeUrl,
  libpqEnvironment,
  listFiles,
  parseArguments,
  printCounts,
  requireProgram,
  run,
  sha256File,
} from './lib/pg-tools.mjs';

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function defaultName() {
  return `consular_restore_${new Date()
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, '')}`;
}

/** Copies the backup's files into an empty folder, then checks each `file` row's bytes. */
async function restoreFiles(env, sourceDir, targetDir) {
  if (!fs.statSync(sourceDir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`the backup has no files folder ${sourceDir}`);
  const target = path.resolve(targetDir);
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0)
    throw new Error(`${target} is not empty: restore files into a new folder`);
  const copied = listFiles(sourceDir);
  for (const file of copied) {
    const destination = path.join(target, path.relative(sourceDir, file));
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    fs.copyFileSync(file, destination);
  }
  const rows = (await run('psql', [...PSQL_ARGS, '-c', 'SELECT storage_key, size_bytes, sha256 FROM file ORDER BY storage_key'], env))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
  const problems = [];
  for (const [key, size, sha256] of rows) {
    // The local-directory storage adapter's layout: <first two characters of the key>/<key>.
    const file = path.join(target, key.slice(0, 2), key);
    if (!fs.existsSync(file)) problems.push(`file ${key} is missing`);
    else if (fs.statSync(file).size !== Number(size) || sha256File(file) !== sha256) problems.push(`file ${key} differs from its record`);
  }
  console.log(`files: ${copied.length} copied to ${target}; ${rows.length - problems.length} of ${rows.length} file records verified`);
  return problems;
}

async function main() {
  const { options, positional } = parseArguments(process.argv.slice(2), ['database', 'files']);
  const [dumpArgument] = positional;
  if (!dumpArgument || positional.length > 1) throw new Error('usage: restore.mjs <backup.dump> [--database NAME] [--files DIR]');
  const dumpFile = path.resolve(dumpArgument);
  if (!fs.existsSync(dumpFile)) throw new Error(`${dumpFile} does not exist`);
  const databaseUrl = await databaseUrlOrDevStack('a database on the server to restore to (it is only connected to)');
  const database = options.database ?? defaultName();
  if (!DATABASE_NAME.test(database)) throw new Error(`--database must match ${DATABASE_NAME}`);
  console.log(`pg_restore: ${requireProgram('pg_restore')}`);

  const base = dumpFile.replace(/\.dump$/, '');
  const expected = fs.existsSync(`${base}.counts.json`) ? JSON.parse(fs.readFileSync(`${base}.counts.json`, 'utf8')) : null;

  const serverEnv = libpqEnvironment(databaseUrl);
  const targetEnv = libpqEnvironment(databaseUrl, database);
  // template0: a restore must start from an empty database, without anything added to template1.
  await run('psql', [...PSQL_ARGS, '-c', `CREATE DATABASE "${database}" TEMPLATE template0`], serverEnv);
  try {
    // One transaction: a failed restore leaves nothing half-written. Objects belong to the restoring user.
    await run(
      'pg_restore',
      ['--exit-on-error', '--single-transaction', '--no-owner', '--no-acl', `--dbname=${database}`, dumpFile],
      targetEnv,
    );
  } catch (error) {
    await run('psql', [...PSQL_ARGS, '-c', `DROP DATABASE IF EXISTS "${database}"`], serverEnv).catch(() => undefined);
    throw error;
  }
  console.log(`restored ${dumpFile} into ${describeUrl(databaseUrl, database)}`);

  const counts = await countRows(targetEnv);
  printCounts('rows per table in the restored database:', counts);
  const problems = [];
  if (expected) {
    for (const name of new Set([...Object.keys(expected.tables), ...Object.keys(counts)])) {
      if (expected.tables[name] !== counts[name]) {
        problems.push(`table ${name}: ${counts[name] ?? 'missing'} rows restored, ${expected.tables[name] ?? 'none'} in the backup`);
      }
    }
    if (problems.length === 0) console.log(`row counts match the backup (${path.basename(base)}.counts.json)`);
  } else {
    console.log(`no ${path.basename(base)}.counts.json beside the dump: row counts not checked`);
  }
  if (options.files) problems.push(...(await restoreFiles(targetEnv, `${base}.files`, options.files)));

  if (problems.length > 0) {
    console.error(`restore check FAILED (the database ${database} is kept for inspection):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(
    `restore complete: set DATABASE_URL to ${describeUrl(databaseUrl, database)}${options.files ? ` and STORAGE_DIR to ${path.resolve(options.files)}` : ''}`,
  );
}

main().catch((error) => {
  console.error(`restore failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
