import 'reflect-metadata';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type AppConfig } from '@app/platform';
import { WorkerModule } from './worker.module.js';

/** The queue worker: a Nest application context with no HTTP server. */
export async function createWorker(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: config.logLevel === 'silent' ? false : ['error', 'warn', 'log'],
  });
  app.enableShutdownHooks();
  return app;
}
