import { loadConfig } from '@app/platform';
import { createWorker } from './bootstrap.js';

createWorker(loadConfig())
  .then(() => console.log('worker started'))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
