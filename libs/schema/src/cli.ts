import { databaseUrlOrDevStack, FieldCipher, loadConfig } from '@app/platform';
import { describeDemoOfficers } from '@app/identity';
import { runMigrations, waitForMigrations } from './migrate.js';
import { runSeeds } from './seed.js';

/**
 * `npm run migrate`, `npm run seed` (which adds the demo officers when NODE_ENV=development), and
 * `wait [seconds]` (blocks until every migration of this build is applied).
 */
async function main(command: string | undefined, argument: string | undefined): Promise<void> {
  const databaseUrl = databaseUrlOrDevStack();
  if (command === 'migrate') {
    const applied = await runMigrations(databaseUrl);
    console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'migrations: up to date');
  } else if (command === 'seed') {
    const development = (process.env.NODE_ENV ?? 'development') === 'development';
    // The demo officers' TOTP secrets are encrypted, so development seeding needs the full configuration.
    const config = development ? loadConfig() : null;
    const seeded = await runSeeds(databaseUrl, {
      demoOfficers: config ? { cipher: new FieldCipher(config.crypto.fieldKeys, config.crypto.activeFieldKeyId) } : undefined,
    });
    console.log(`seeded ${seeded.posts} posts`);
    if (seeded.demoOfficers) console.log(describeDemoOfficers().join('\n'));
  } else if (command === 'wait') {
    const seconds = Number(argument ?? 600);
    if (!Number.isInteger(seconds) || seconds < 1) throw new Error('usage: cli.js wait [seconds]');
    await waitForMigrations(databaseUrl, seconds * 1000, (reason) => console.log(reason));
    console.log('migrations: up to date');
  } else {
    throw new Error('usage: cli.js migrate|seed|wait [seconds]');
  }
}

main(process.argv[2], process.argv[3]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
