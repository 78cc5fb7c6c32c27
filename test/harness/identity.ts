import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, type AuthenticatedOfficer, Clock, FieldCipher, type Role } from '@app/platform';
import {
  AccessTokenService,
  CsrfTokens,
  newTotpSecret,
  type Officer,
  OfficerService,
  sessionCookieName,
  SessionService,
  seesAllPosts,
  totpCode,
} from '@app/identity';
import type { Inject } from './http.js';

export interface TestOfficerOptions {
  username?: string;
  postCode?: string;
  roles?: Role[];
  password?: string;
  /** False leaves the officer without TOTP, as a freshly created account is. */
  enrolled?: boolean;
  mustChangePassword?: boolean;
}

export interface TestOfficer {
  officer: Officer;
  /** As `request.officer` would hold it. */
  authenticated: AuthenticatedOfficer;
  password: string;
  /** Base32; null when not enrolled. */
  totpSecret: string | null;
}

export interface SignedInOfficer extends TestOfficer {
  /** The `Cookie` header value carrying the session. */
  cookie: string;
  /** For forms (`_csrf`) and for JSON writes (`X-CSRF-Token`). */
  csrfToken: string;
  /** `{ cookie }`, ready to spread into inject headers. */
  headers: { cookie: string };
}

export function fastifyOf(app: NestFastifyApplication): FastifyInstance {
  return app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
}

/** An officer straight in the database (argon2id password, TOTP secret already enrolled unless `enrolled: false`). */
export async function createTestOfficer(app: NestFastifyApplication, options: TestOfficerOptions = {}): Promise<TestOfficer> {
  const dataSource = app.get(DataSource);
  const password = options.password ?? `test passphrase ${randomUUID()}`;
  const postCode = options.postCode ?? 'US-LAX';
  const officer = await dataSource.transaction((manager) =>
    app.get(OfficerService).create(
      manager,
      {
        username: options.username ?? `t.${randomUUID().slice(0, 12)}`,
        displayName: 'Test Officer',
        email: 'officer@example.test',
        postCode,
        roles: options.roles ?? ['officer'],
        password,
        mustChangePassword: options.mustChangePassword ?? false,
      },
      { type: 'system', id: 'test' },
    ),
  );
  let totpSecret: string | null = null;
  if (options.enrolled !== false) {
    totpSecret = newTotpSecret();
    const sealed = app.get(FieldCipher).encrypt(totpSecret, `officer.totp_secret:${officer.id}`);
    await dataSource.query(`UPDATE officer SET totp_secret = $2, totp_enrolled_at = now() WHERE id = $1`, [officer.id, sealed]);
    officer.totpSecret = sealed;
  }
  const [post] = (await dataSource.query(`SELECT kind FROM post WHERE code = $1`, [postCode])) as { kind: string }[];
  const authenticated: AuthenticatedOfficer = {
    id: officer.id,
    username: officer.username,
    displayName: officer.displayName,
    roles: officer.roles,
    postCode,
    seesAllPosts: seesAllPosts(post!.kind, officer.roles),
  };
  return { officer, authenticated, password, totpSecret };
}

/**
 * A signed-in officer without going through the pages: creates the officer and an active
 * session (as if password and TOTP had just been checked), and returns the cookie and CSRF token.
 */
export async function signInOfficer(app: NestFastifyApplication, options: TestOfficerOptions = {}): Promise<SignedInOfficer> {
  const created = await createTestOfficer(app, options);
  return { ...created, ...(await sessionFor(app, created.officer.id)) };
}

/** An active session for an existing officer. */
export async function sessionFor(
  app: NestFastifyApplication,
  officerId: string,
): Promise<{ cookie: string; csrfToken: string; headers: { cookie: string } }> {
  const now = app.get(Clock).now();
  const token = await app
    .get(SessionService)
    .start(app.get(DataSource).manager, officerId, { stage: 'active', authenticatedAt: now, reauthenticatedAt: now });
  const cookie = `${sessionCookieName(app.get<AppConfig>(APP_CONFIG))}=${token}`;
  return { cookie, csrfToken: app.get(CsrfTokens).forSession(token), headers: { cookie } };
}

/** A personal access token for API tests: use it as `authorization: Bearer <token>`. */
export async function createAccessToken(app: NestFastifyApplication, officer: AuthenticatedOfficer, days = 30): Promise<string> {
  const { token } = await app
    .get(DataSource)
    .transaction((manager) => app.get(AccessTokenService).create(manager, officer, { name: 'test', days }, null));
  return token;
}

/** The current TOTP code for a secret, at the app's clock. */
export function currentCode(app: NestFastifyApplication, secret: string): string {
  return totpCode(secret, app.get(Clock).now());
}

/** Cookies a response sets, as name → value (a cleared cookie maps to ''). */
export function setCookies(response: LightMyRequestResponse): Record<string, string> {
  return Object.fromEntries(response.cookies.map((c) => [c.name, c.value]));
}

/** A tiny cookie jar for walking the pages like a browser: keeps what responses set, sends it back. */
export class Browser {
  private readonly jar = new Map<string, string>();
  /** The CSRF token of the last page that had a form. */
  lastCsrf: string | undefined;

  private readonly inject: Inject;

  /** Walks the pages of `target`: the application, or an Inject such as httpInjector's for a server in another process. */
  constructor(
    target: NestFastifyApplication | Inject,
    private readonly defaults: { remoteAddress?: string; headers?: Record<string, string> } = {},
  ) {
    this.inject = typeof target === 'function' ? target : (options) => fastifyOf(target).inject(options);
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  setCookie(name: string, value: string): void {
    this.jar.set(name, value);
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.send('GET', url, undefined, headers);
  }

  /** Posts a form with the `_csrf` token of the last page that had one (or the one given), unless `csrf: false`. */
  async post(
    url: string,
    fields: Record<string, string | string[]>,
    options: { csrf?: string | false } = {},
  ): Promise<LightMyRequestResponse> {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
    if (options.csrf !== false) form.append('_csrf', options.csrf ?? this.lastCsrf ?? '');
    return this.send('POST', url, form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  }

  private async send(
    method: 'GET' | 'POST',
    url: string,
    payload: string | undefined,
    headers: Record<string, string>,
  ): Promise<LightMyRequestResponse> {
    const cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await this.inject({
      method,
      url,
      payload,
      remoteAddress: this.defaults.remoteAddress,
      headers: { accept: 'text/html', ...this.defaults.headers, ...(cookie ? { cookie } : {}), ...headers },
    });
    for (const c of response.cookies) {
      if (c.value === '' || (c.expires && new Date(c.expires).getTime() <= Date.now())) this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.lastCsrf = token;
    return response;
  }
}
