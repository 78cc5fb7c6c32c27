import 'reflect-metadata';
import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import fastifyMultipart from '@fastify/multipart';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DestinationStream } from 'pino';
import {
  AllExceptionsFilter,
  type AppConfig,
  type Clock,
  Messages,
  translateValidationErrors,
  Metrics,
  nestLogger,
  registerBodyDepthLimit,
  registerWebLayer,
  securityHeaders,
  sendClientError,
  sendRouterError,
  ValidationException,
} from '@app/platform';
import { QueueRegistry } from '@app/cases';
import { registerIdentityHooks } from '@app/identity';
import { ApiModule } from './app.module.js';

export interface ApiOptions {
  /** Where request logs go; tests pass a stream to read them. Defaults to stdout. */
  logStream?: DestinationStream;
  /** Replaces the system clock; tests move it forward to expire sessions and lock-outs. */
  clock?: Clock;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Builds the HTTP application (not yet listening): used by main.ts, the tests and the benchmarks. */
export async function createApi(config: AppConfig, options: ApiOptions = {}): Promise<NestFastifyApplication> {
  const headers = securityHeaders(config);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // Signed tokens travel as one path segment (/status/link/<token>); Fastify's default is 100 characters.
    routerOptions: { maxParamLength: 512 },
    trustProxy: config.env === 'production',
    // URLs the router refuses (bad encoding, an over-long path parameter) get the one error shape too.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendRouterError(error, request, reply, headers),
    // And so do requests Node's parser refuses before there is a request at all (431 for a 100 kB URL).
    clientErrorHandler(this: FastifyInstance, error: Error, socket: Duplex) {
      sendClientError(error, socket, headers, this.log);
    },
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
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config, { clock: options.clock }), adapter, {
    logger: nestLogger(config.logLevel),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;

  // A callback hook, not an async one, and the request id set here rather than in an onSend hook: on a
  // constant route the profile showed each extra async hook's promise and hook step as framework overhead.
  fastify.addHook('onRequest', (request, reply, done) => {
    for (const [name, value] of headers) reply.header(name, value);
    reply.header('x-request-id', request.id);
    done();
  });
  await registerWebLayer(fastify, config, app.get(Messages));
  registerBodyDepthLimit(fastify);
  // Uploads: the largest accepted file is 10 MB (an eVisa passport page); a bigger one is a 413.
  await app.register(fastifyMultipart as never, {
    limits: { fileSize: 10 * 1_048_576 + 64 * 1024, files: 2, fields: 10, fieldSize: 16 * 1024, parts: 12 },
  });
  // Sessions, bearer tokens and CSRF for every route; before Bull Board so its routes get the hooks too.
  registerIdentityHooks(app);

  const metrics = app.get(Metrics);
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions?.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      // The JSON API answers in English; the DTOs' messages are keys the pages translate for their reader.
      exceptionFactory: (errors) =>
        errors.length
          ? new ValidationException(translateValidationErrors(errors, app.get(Messages).translator('en')))
          : new BadRequestException(),
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
