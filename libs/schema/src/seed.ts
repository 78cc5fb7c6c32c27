import { DataSource } from 'typeorm';
import { seedPosts } from '@app/posts';
import { dataSourceOptions } from './schema.js';

/** Reference data every environment needs (posts). Development demo data is added by later seeds. */
export async function runSeeds(databaseUrl: string): Promise<{ posts: number }> {
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, 2));
  await dataSource.initialize();
  try {
    return await dataSource.transaction(async (manager) => ({ posts: await seedPosts(manager) }));
  } finally {
    await dataSource.destroy();
  }
}
