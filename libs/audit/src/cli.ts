import { DataSource } from 'typeorm';
import { databaseUrlOrDevStack, typeOrmOptions } from '@app/platform';
import { verifyAuditChain } from './audit-chain.js';

/** `npm run audit:verify`: walks the hash chain and names the first broken row (exit code 1). */
async function main(command: string | undefined): Promise<void> {
  if (command !== 'verify') throw new Error('usage: cli.js verify');
  const databaseUrl = databaseUrlOrDevStack();
  const dataSource = new DataSource(typeOrmOptions(databaseUrl, { entities: [], migrations: [] }, 2));
  await dataSource.initialize();
  try {
    const verdict = await verifyAuditChain(dataSource.manager);
    if (verdict.ok) {
      console.log(`audit log intact: ${verdict.rows} rows, last hash ${verdict.lastHash}`);
    } else {
      console.error(`audit log broken at row ${verdict.seq}: ${verdict.reason}`);
      process.exitCode = 1;
    }
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
