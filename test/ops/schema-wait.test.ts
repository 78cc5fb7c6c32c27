// `cli.js wait`, which the Kubernetes init containers run before the API and the worker start.
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { MIGRATIONS, pendingMigrations } from '@app/schema';
import { adminUrl, createTestDatabase } from '../harness/context.js';

const wait = (databaseUrl: string, seconds: string) =>
  spawnSync(process.execPath, ['dist/libs/schema/src/cli.js', 'wait', seconds], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });

describe('waiting for migrations', () => {
  let migrated: Awaited<ReturnType<typeof createTestDatabase>>;
  const empty = `e_${Date.now()}`;

  beforeAll(async () => {
    migrated = await createTestDatabase();
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${empty}`);
    await admin.end();
  });

  afterAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`);
    await admin.end();
    await migrated.drop();
  });

  it('finds nothing pending in a migrated database, and returns at once', async () => {
    expect(await pendingMigrations(migrated.url)).toEqual([]);
    const result = wait(migrated.url, '5');
    expect(result.stdout).toContain('migrations: up to date');
    expect(result.status).toBe(0);
  });

  it('lists every migration as pending in an empty database without creating anything, and the wait gives up', async () => {
    expect(await pendingMigrations(adminUrl(empty))).toEqual(MIGRATIONS.map((m) => m.name));
    const result = wait(adminUrl(empty), '1');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`gave up after 1 s waiting for migrations ${MIGRATIONS.map((m) => m.name).join(', ')}`);
    const client = new pg.Client({ connectionString: adminUrl(empty) });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`);
    await client.end();
    expect(rows[0].n).toBe(0);
  });
});
