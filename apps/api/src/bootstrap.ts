import 'reflect-metadata';
import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import fastifyHelmet from '@fastify/helmet';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DestinationStream } from 'pino';
import {
  AllExceptionsFilter,
  type AppConfig,
  flattenValidationErrors,
  Messages,
  Metrics,
  registerWebLayer,
  sendError,
  ValidationException,
} from '@app/platform';
import { QueueRegistry } from '@app/cases';
import { ApiModule } from './app.module.js';

export interface ApiOptions {
  /** Where request logs go; tests pass a stream to read them. Defaults to stdout. */
  logStream?: DestinationStream;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Builds the HTTP application (not yet listening): used by main.ts, the tests and the benchmarks. */
export async function createApi(config: AppConfig, options: ApiOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // Signed tokens travel as one path segment (/status/link/<token>); Fastify's default is 100 characters.
    maxParamLength: 512,
    trustProxy: config.env === 'production',
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    logger: {
      level: config.logLevel,
      stream: options.logStream,
      // Only the method, the route and the status: URLs can carry tokens and bodies carry personal data.
      serializers: {
        req: (request: FastifyRequest) => ({ method: request.method, path: request.routeOptions?.url ?? 'unmatched', id: request.id }),
        res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
      },
      redact: { paths: ['req.headers', 'headers.cookie', 'headers.authorization'], remove: true },
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    logger: config.logLevel === 'silent' ? false : ['error', 'warn', 'log'],
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;

  await app.register(fastifyHelmet as never, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
      },
    },
    hsts: config.env === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  await registerWebLayer(fastify, config, app.get(Messages));

  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const metrics = app.get(Metrics);
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions?.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  // Errors raised before Nest's pipeline (unparsable or oversized bodies) get the same shape.
  fastify.setErrorHandler((error, request, reply) => sendError(error, request, reply));

  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      exceptionFactory: (errors) => (errors.length ? new ValidationException(flattenValidationErrors(errors)) : new BadRequestException()),
    }),
  );

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Consular Services Portal API')
      .setDescription('JSON API of the consular portal. Errors share one shape: { error: { code, message, details?, correlationId } }.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  if (config.bullBoardEnabled) {
    const boardAdapter = new BullBoardFastifyAdapter();
    createBullBoard({
      queues: app
        .get(QueueRegistry)
        .all()
        .map((q) => new BullMQAdapter(q)),
      serverAdapter: boardAdapter,
    });
    boardAdapter.setBasePath('/admin/queues');
    await fastify.register(boardAdapter.registerPlugin() as never, { prefix: '/admin/queues' });
  }

  app.enableShutdownHooks();
  return app;
}
