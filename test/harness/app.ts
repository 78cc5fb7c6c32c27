import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { DataSource } from 'typeorm';
import type { AppConfig, Clock } from '@app/platform';
import { createApi } from '../../apps/api/src/bootstrap.js';
import { createWorker } from '../../apps/worker/src/bootstrap.js';
import { createTestDatabase, openDataSource, testConfig } from './context.js';

export interface TestStackOptions {
  /** Environment overrides, as testConfig takes them. */
  env?: Record<string, string>;
  /** Replaces the system clock in the API and the worker. */
  clock?: Clock;
  /** Where the API's request logs go. */
  logStream?: DestinationStream;
  /** Also start the queue worker. */
  worker?: boolean;
  /** Open a connection pool of the test's own, as another process would have, instead of using the API's. */
  ownDataSource?: boolean;
}

export interface TestStack {
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  config: AppConfig;
  /** Initialised and ready for inject(). */
  api: NestFastifyApplication;
  dataSource: DataSource;
  /** Only with `worker: true`. */
  worker?: INestApplicationContext;
  /** Stops the worker, then the API, then the test's own data source, then drops the database. */
  close(): Promise<void>;
}

export type WorkerStack = TestStack & { worker: INestApplicationContext };

/** A test file's own database with the API (and, if asked, the worker) running on it. */
export function startTestStack(options: TestStackOptions & { worker: true }): Promise<WorkerStack>;
export function startTestStack(options?: TestStackOptions): Promise<TestStack>;
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const started: Partial<TestStack> = {};
  const close = async () => {
    await started.worker?.close();
    await started.api?.close();
    if (options.ownDataSource && started.dataSource?.isInitialized) await started.dataSource.destroy();
    await started.db?.drop();
  };
  try {
    started.db = await createTestDatabase();
    started.config = testConfig(started.db.url, options.env);
    started.api = await createApi(started.config, { clock: options.clock, logStream: options.logStream });
    await started.api.init();
    await started.api.getHttpAdapter().getInstance().ready();
    if (options.worker) started.worker = await createWorker(started.config, options.clock);
    started.dataSource = options.ownDataSource ? await openDataSource(started.db.url) : started.api.get(DataSource);
  } catch (error) {
    // The start-up error is the one worth seeing, not a follow-on one from tearing down half a stack.
    await close().catch(() => undefined);
    throw error;
  }
  return { ...(started as Omit<TestStack, 'close'>), close };
}
