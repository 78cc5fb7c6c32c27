import 'reflect-metadata';
import { type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type AppConfig, type Clock, nestLogger } from '@app/platform';
import { WorkerModule } from './worker.module.js';

/** The queue worker: a Nest application context with no HTTP server. */
export async function createWorker(config: AppConfig, clock?: Clock): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, clock), {
    logger: nestLogger(config.logLevel),
  });
  app.enableShutdownHooks();
  return app;
}
