import { runMigrations } from './migrate.js';
import { runSeeds } from './seed.js';

/** `npm run migrate` and `npm run seed`. */
async function main(command: string | undefined): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  if (command === 'migrate') {
    const applied = await runMigrations(databaseUrl);
    console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'migrations: up to date');
  } else if (command === 'seed') {
    const seeded = await runSeeds(databaseUrl);
    console.log(`seeded ${seeded.posts} posts`);
  } else {
    throw new Error('usage: cli.js migrate|seed');
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
