import { loadConfig } from '@app/platform';
import { createApi } from './bootstrap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApi(config);
  await app.listen({ port: config.port, host: config.host });
  app.getHttpAdapter().getInstance().log.info(`api listening on ${config.publicBaseUrl}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
