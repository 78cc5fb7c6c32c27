import { DataSource } from 'typeorm';
import { type FieldCipher, SystemClock } from '@app/platform';
import { seedPosts } from '@app/posts';
import { seedDemoOfficers } from '@app/identity';
import { dataSourceOptions } from './schema.js';

export interface SeedOptions {
  /** Development only: the demo officers, whose TOTP secrets are sealed with this cipher. */
  demoOfficers?: { cipher: FieldCipher };
}

/** Reference data every environment needs (posts), plus the demo officers when asked (development). */
export async function runSeeds(databaseUrl: string, options: SeedOptions = {}): Promise<{ posts: number; demoOfficers: number }> {
  const dataSource = new DataSource(dataSourceOptions(databaseUrl, 2));
  await dataSource.initialize();
  try {
    return await dataSource.transaction(async (manager) => ({
      posts: await seedPosts(manager),
      demoOfficers: options.demoOfficers ? await seedDemoOfficers(manager, options.demoOfficers.cipher, new SystemClock()) : 0,
    }));
  } finally {
    await dataSource.destroy();
  }
}
