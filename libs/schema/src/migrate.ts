import pg from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';
import { MIGRATIONS, dataSourceOptions } from './schema.js';

/** Applies pending migrations; the same function serves `npm run migrate`, `npm run dev`, the tests and docker. */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, 2));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * The migrations this build knows that the database has not applied. Read-only: unlike TypeORM's
 * showMigrations it creates no table, so it can run while a migration job is working.
 */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ present: boolean }>(`SELECT to_regclass('typeorm_migrations') IS NOT NULL AS present`);
    const applied = rows[0]?.present
      ? new Set((await client.query<{ name: string }>(`SELECT name FROM typeorm_migrations`)).rows.map((row) => row.name))
      : new Set<string>();
    return MIGRATIONS.map((migration) => (new migration() as MigrationInterface).name ?? migration.name).filter(
      (name) => !applied.has(name),
    );
  } finally {
    await client.end();
  }
}

/**
 * Waits until the database has every migration this build knows (run before an app starts, so new
 * code never serves an old schema). Connection failures count as "not yet": the database may be starting.
 */
export async function waitForMigrations(databaseUrl: string, timeoutMs: number, onWait: (reason: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let reason: string;
    try {
      const pending = await pendingMigrations(databaseUrl);
      if (pending.length === 0) return;
      reason = `waiting for migrations ${pending.join(', ')}`;
    } catch (error) {
      reason = `waiting for the database: ${(error as Error).message}`;
    }
    if (Date.now() >= deadline) throw new Error(`gave up after ${Math.round(timeoutMs / 1000)} s ${reason}`);
    onWait(reason);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
