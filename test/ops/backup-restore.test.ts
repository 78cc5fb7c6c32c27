// npm run backup / npm run restore against the test PostgreSQL, with the pg_dump and pg_restore on PATH.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { FileService, LocalDirectoryStorage } from '@app/platform';
import { adminUrl, createTestDatabase, openDataSource } from '../harness/context.js';
import { openTestCase, testSpine } from '../harness/spine.js';

function runScript(script: string, args: string[], databaseUrl: string) {
  const result = spawnSync(process.execPath, [`scripts/${script}`, ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, STORAGE_DIR: '' },
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Every table of the database (from information_schema), with its row count and a digest of its rows. */
async function tableContents(url: string): Promise<Record<string, { rows: number; digest: string }>> {
  const tables = await query<{ name: string }>(
    url,
    `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  const contents: Record<string, { rows: number; digest: string }> = {};
  for (const { name } of tables) {
    const [row] = await query<{ rows: number; digest: string }>(
      url,
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${name} t`,
    );
    contents[name] = row!;
  }
  return contents;
}

describe('backup and restore scripts', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let workDir: string;
  let storageDir: string;
  const restored: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    workDir = fs.mkdtempSync(path.join(process.env.TEST_WORK_DIR!, 'backup-'));
    storageDir = path.join(workDir, 'files');
    const spine = testSpine();
    const files = new FileService(new LocalDirectoryStorage(storageDir));
    for (const service of ['passport', 'evisa', 'legalisation', 'abtc', 'emergency'] as const) {
      await dataSource.transaction(async (manager) => {
        const opened = await openTestCase(spine, manager, service);
        const bytes = Buffer.from(`%PDF-1.7\n% scan for ${opened.reference}\n`);
        await files.store(manager, { bytes, kind: 'scan', caseId: opened.id, allowedTypes: ['application/pdf'], maxBytes: 1024 });
      });
    }
  });

  afterAll(async () => {
    await dataSource.destroy();
    for (const name of restored) await query(adminUrl(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await db.drop();
  });

  it('restores into a new database with every table, row and stored file of the backup', async () => {
    const backup = runScript('backup.mjs', ['--out', path.join(workDir, 'out'), '--files', storageDir], db.url);
    expect(backup.output).toContain('backup: ');
    expect(backup.status).toBe(0);
    expect(backup.output).toContain(':***@');
    expect(backup.output).not.toContain(`:${new URL(db.url).password}@`);
    const dumpFile = /backup: (\S+\.dump)/.exec(backup.output)![1]!;
    const recorded = JSON.parse(fs.readFileSync(dumpFile.replace(/\.dump$/, '.counts.json'), 'utf8'));
    expect(recorded.files).toEqual({ count: 5, bytes: expect.any(Number) });

    const name = `r_${path.basename(db.name)}`;
    restored.push(name);
    const target = path.join(workDir, 'restored-files');
    const restore = runScript('restore.mjs', [dumpFile, '--database', name, '--files', target], db.url);
    expect(restore.output).toContain('row counts match the backup');
    expect(restore.output).toContain('5 of 5 file records verified');
    expect(restore.status).toBe(0);

    const before = await tableContents(db.url);
    const after = await tableContents(adminUrl(name));
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after).toEqual(before);
    for (const table of ['public."case"', 'public.case_event', 'public.outbox', 'public.file', 'public.post']) {
      expect(after[table]!.rows).toBeGreaterThan(0);
    }
    // The script's own counts are the same numbers, taken in the dump's snapshot.
    for (const [table, { rows }] of Object.entries(before)) {
      expect(recorded.tables[table.replace(/^public\./, '').replace(/"/g, '')]).toBe(rows);
    }
  });

  it('refuses to restore over an existing database, and fails when the restored rows differ from the backup', () => {
    const backup = runScript('backup.mjs', ['--out', path.join(workDir, 'out2')], db.url);
    expect(backup.status).toBe(0);
    expect(backup.output).toContain('files: NOT backed up');
    const dumpFile = /backup: (\S+\.dump)/.exec(backup.output)![1]!;

    const existing = runScript('restore.mjs', [dumpFile, '--database', db.name], db.url);
    expect(existing.status).toBe(1);
    expect(existing.output).toContain('already exists');

    const countsFile = dumpFile.replace(/\.dump$/, '.counts.json');
    const counts = JSON.parse(fs.readFileSync(countsFile, 'utf8'));
    counts.tables.case += 1;
    fs.writeFileSync(countsFile, JSON.stringify(counts));
    const name = `m_${db.name}`;
    restored.push(name);
    const mismatch = runScript('restore.mjs', [dumpFile, '--database', name], db.url);
    expect(mismatch.status).toBe(1);
    expect(mismatch.output).toMatch(/table case: \d+ rows restored, \d+ in the backup/);
  });

  it('fails the restore when a stored file does not match its record', () => {
    const backup = runScript('backup.mjs', ['--out', path.join(workDir, 'out3'), '--files', storageDir], db.url);
    expect(backup.status).toBe(0);
    const dumpFile = /backup: (\S+\.dump)/.exec(backup.output)![1]!;
    const [first] = fs
      .readdirSync(dumpFile.replace(/\.dump$/, '.files'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile());
    fs.appendFileSync(path.join(first!.parentPath, first!.name), 'tampered');
    const name = `f_${db.name}`;
    restored.push(name);
    const restore = runScript('restore.mjs', [dumpFile, '--database', name, '--files', path.join(workDir, 'restored-3')], db.url);
    expect(restore.status).toBe(1);
    expect(restore.output).toContain(`file ${first!.name} differs from its record`);
    expect(restore.output).toContain('4 of 5 file records verified');
  });
});
