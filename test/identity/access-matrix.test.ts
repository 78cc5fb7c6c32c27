import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Role } from '@app/platform';
import { RouteInventory } from '@app/identity';
import { startTestStack, type TestStack } from '../harness/app.js';
import { OFFICER_ROUTES, type MatrixFixture, type OfficerRouteCase } from '../harness/access-matrix.js';
import { Browser, createTestOfficer, fastifyOf, signInOfficer, type SignedInOfficer } from '../harness/identity.js';

/** Where the actor works, relative to the resource: its own post, another (non-HQ) post, or HQ. */
type Location = 'own' | 'other' | 'hq';
const POSTS: Record<Location, string> = { own: 'US-LAX', other: 'JP-TYO', hq: 'HQ-TPE' };
const ROLES: Role[] = ['officer', 'supervisor', 'admin'];

interface Actor {
  role: Role;
  location: Location;
  session: SignedInOfficer;
}

function expectedStatus(route: OfficerRouteCase, actor: Actor | null): number {
  const page = !route.route.startsWith('/api/');
  if (!actor) return page ? 303 : 401;
  if (!route.roles.includes(actor.role)) return 403;
  const seesAllPosts = actor.location === 'hq' || actor.role === 'supervisor';
  if (route.postScoped && actor.location !== 'own' && !seesAllPosts) return 404;
  return route.allowed;
}

describe('access matrix', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let fixture: MatrixFixture;
  const actors: Actor[] = [];
  let anonymous: Browser;

  beforeAll(async () => {
    stack = await startTestStack();
    app = stack.api;
    const target = await createTestOfficer(app, { postCode: POSTS.own });
    fixture = { app, postCode: POSTS.own, officerId: target.officer.id };
    for (const role of ROLES) {
      for (const location of Object.keys(POSTS) as Location[]) {
        actors.push({ role, location, session: await signInOfficer(app, { roles: [role], postCode: POSTS[location] }) });
      }
    }
    anonymous = new Browser(app);
    await anonymous.get('/officer/sign-in');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('lists every officer route Nest registered, and nothing else', () => {
    const registered = app
      .get(RouteInventory)
      .routes()
      .filter((route) => route.policy?.kind === 'officer')
      .map((route) => `${route.method} ${route.path}`)
      .sort();
    expect(OFFICER_ROUTES.map((route) => `${route.method} ${route.route}`).sort()).toEqual(registered);
    for (const route of OFFICER_ROUTES) {
      const policy = app
        .get(RouteInventory)
        .routes()
        .find((r) => r.method === route.method && r.path === route.route)!.policy!;
      expect([route.route, policy.kind === 'officer' ? [...policy.roles].sort() : policy]).toEqual([route.route, [...route.roles].sort()]);
    }
  });

  async function call(route: OfficerRouteCase, actor: Actor | null) {
    const url = route.url ? await route.url(fixture) : route.route;
    const page = !route.route.startsWith('/api/');
    const headers: Record<string, string> = { accept: page ? 'text/html' : 'application/json' };
    let payload: string | undefined;
    const csrfToken = actor ? actor.session.csrfToken : anonymous.lastCsrf!;
    if (actor) headers.cookie = actor.session.cookie;
    else headers.cookie = `csrf=${anonymous.cookie('csrf')}`;
    if (route.method !== 'GET') {
      if (page) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        payload = new URLSearchParams({ ...route.body, _csrf: csrfToken }).toString();
      } else {
        headers['x-csrf-token'] = csrfToken;
        if (route.body) {
          headers['content-type'] = 'application/json';
          payload = JSON.stringify(route.body);
        }
      }
    }
    return fastifyOf(app).inject({ method: route.method, url, headers, payload });
  }

  it('answers every route as each role at its own post, another post and HQ, and as nobody', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const route of OFFICER_ROUTES) {
      for (const actor of [null, ...actors]) {
        const who = actor ? `${actor.role}@${actor.location}` : 'anonymous';
        const response = await call(route, actor);
        outcomes.push(`${route.method} ${route.route} as ${who}: ${response.statusCode}`);
        expected.push(`${route.method} ${route.route} as ${who}: ${expectedStatus(route, actor)}`);
        if (!actor && response.statusCode === 303) expect(response.headers.location).toMatch(/^\/officer\/sign-in/);
      }
    }
    expect(outcomes).toEqual(expected);
  });
});
