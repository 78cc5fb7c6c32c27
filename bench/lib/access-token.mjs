// A personal access token for an officer created for the run, through the compiled identity library
// (the same code as `npm run officer:create` and the account page), so load can read officer routes.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../../scripts/lib/stack.mjs';

const dist = (lib) => import(pathToFileURL(path.join(ROOT, 'dist', 'libs', lib, 'src', 'index.js')).href);

/** Creates an officer at `postCode` with `roles` and returns a 1-day `cpat_…` token for it. */
export async function officerAccessToken(databaseUrl, { postCode = 'HQ-TPE', roles = ['officer'] } = {}) {
  const [{ DataSource }, platform, identity, audit, schema] = await Promise.all([
    import('typeorm'),
    dist('platform'),
    dist('identity'),
    dist('audit'),
    dist('schema'),
  ]);
  const dataSource = new DataSource(schema.dataSourceOptions(databaseUrl, 2));
  await dataSource.initialize();
  try {
    const clock = new platform.SystemClock();
    const auditLog = new audit.AuditLog(clock);
    const officers = new identity.OfficerService(
      dataSource,
      new identity.PasswordHasher(),
      new identity.SessionService(dataSource, clock),
      auditLog,
      clock,
    );
    const officer = await dataSource.transaction((manager) =>
      officers.create(
        manager,
        {
          username: `load.${randomBytes(4).toString('hex')}`,
          displayName: 'Load test',
          email: null,
          postCode,
          roles,
          password: randomBytes(24).toString('base64url'),
          mustChangePassword: false,
        },
        { type: 'system', id: 'bench' },
      ),
    );
    const [post] = await dataSource.query(`SELECT kind FROM post WHERE code = $1`, [postCode]);
    const authenticated = {
      id: officer.id,
      username: officer.username,
      displayName: officer.displayName,
      roles: officer.roles,
      postCode,
      seesAllPosts: identity.seesAllPosts(post.kind, officer.roles),
    };
    const { token } = await dataSource.transaction((manager) =>
      new identity.AccessTokenService(dataSource, auditLog, clock).create(manager, authenticated, { name: 'load test', days: 1 }, null),
    );
    return token;
  } finally {
    await dataSource.destroy();
  }
}
