// What `cli.js wait` runs in the Kubernetes init containers before the API and the worker start.
// (The functions are called directly: spawning dist/ would race the dev-stack test, which rebuilds it.)
import pg from 'pg';
import { MIGRATIONS, pendingMigrations, waitForMigrations } from '@app/schema';
import { adminUrl, createTestDatabase } from '../harness/context.js';

describe('waiting for migrations', () => {
  let migrated: Awaited<ReturnType<typeof createTestDatabase>>;
  const empty = `e_${Date.now()}`;

  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    migrated = await createTestDatabase();
    await admin(`CREATE DATABASE ${empty}`);
  });

  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`);
    await migrated.drop();
  });

  it('finds nothing pending in a migrated database, and returns at once', async () => {
    expect(await pendingMigrations(migrated.url)).toEqual([]);
    const waits: string[] = [];
    await waitForMigrations(migrated.url, 5000, (reason) => waits.push(reason));
    expect(waits).toEqual([]);
  });

  it('lists every migration as pending in an empty database without creating anything, and the wait gives up', async () => {
    const names = MIGRATIONS.map((m) => m.name);
    expect(await pendingMigrations(adminUrl(empty))).toEqual(names);
    const waits: string[] = [];
    await expect(waitForMigrations(adminUrl(empty), 1000, (reason) => waits.push(reason))).rejects.toThrow(
      `gave up after 1 s waiting for migrations ${names.join(', ')}`,
    );
    expect(waits).toEqual([`waiting for migrations ${names.join(', ')}`]);
    const client = new pg.Client({ connectionString: adminUrl(empty) });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`);
    await client.end();
    expect(rows[0].n).toBe(0);
  });

  it('keeps waiting while the database cannot be reached', async () => {
    const unreachable = new URL(adminUrl(empty));
    unreachable.pathname = '/no_such_database';
    const waits: string[] = [];
    await expect(waitForMigrations(unreachable.toString(), 1000, (reason) => waits.push(reason))).rejects.toThrow(
      'gave up after 1 s waiting for the database',
    );
    expect(waits[0]).toMatch(/^waiting for the database: .*no_such_database/);
  });
});
