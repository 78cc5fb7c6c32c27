import { Controller, Get } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AllExceptionsFilter, Public } from '@app/platform';
import { RouteInventory } from '@app/identity';
import { ApiModule } from '../../apps/api/src/app.module.js';
import { createApi } from '../../apps/api/src/bootstrap.js';
import { createTestDatabase, testConfig } from '../harness/context.js';
import { fastifyOf } from '../harness/identity.js';

/** Deliberately without a policy: the walk must catch it and the guard must deny it. */
@Controller('test-undeclared')
class UndeclaredController {
  @Get()
  open(): { ok: true } {
    return { ok: true };
  }
}

/** A class-level policy covers every method. */
@Public()
@Controller('test-declared')
class DeclaredController {
  @Get()
  open(): { ok: true } {
    return { ok: true };
  }
}

describe('route policies', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('every route of the API declares a policy, and the walk sees the routes Fastify serves', async () => {
    const app = await createApi(testConfig(db.url));
    try {
      await app.init();
      const fastify = fastifyOf(app);
      await fastify.ready();
      const routes = app.get(RouteInventory).routes();
      expect(routes.length).toBeGreaterThan(20);
      expect(routes.filter((route) => !route.policy).map((route) => `${route.method} ${route.path}`)).toEqual([]);
      for (const route of routes) {
        expect([route.method, route.path, fastify.hasRoute({ method: route.method as 'GET', url: route.path })]).toEqual([
          route.method,
          route.path,
          true,
        ]);
      }
      expect(routes).toContainEqual(expect.objectContaining({ method: 'GET', path: '/officer/sign-in', policy: { kind: 'public' } }));
      expect(routes).toContainEqual(
        expect.objectContaining({ method: 'GET', path: '/officer/audit', policy: { kind: 'officer', roles: ['supervisor'] } }),
      );
    } finally {
      await app.close();
    }
  });

  it('catches a route without a policy, and the guard denies it while a declared one passes', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ApiModule.forRoot(testConfig(db.url))],
      controllers: [UndeclaredController, DeclaredController],
    }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    app.useGlobalFilters(new AllExceptionsFilter());
    try {
      await app.init();
      await fastifyOf(app).ready();
      expect(app.get(RouteInventory).withoutPolicy()).toEqual([
        { method: 'GET', path: '/test-undeclared', controller: 'UndeclaredController', handler: 'open', policy: undefined },
      ]);
      expect((await fastifyOf(app).inject({ method: 'GET', url: '/test-undeclared' })).statusCode).toBe(403);
      expect((await fastifyOf(app).inject({ method: 'GET', url: '/test-declared' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
