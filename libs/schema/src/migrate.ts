import { DataSource } from 'typeorm';
import { dataSourceOptions } from './schema.js';

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
