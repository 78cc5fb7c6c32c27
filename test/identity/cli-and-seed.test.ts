import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import { FieldCipher, loadConfig } from '@app/platform';
import { DEMO_OFFICERS } from '@app/identity';
import { createTestDatabase, openDataSource, testEnv } from '../harness/context.js';

const run = promisify(execFile);

async function node(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return run(process.execPath, [script, ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
}

describe('officer command line and development seed', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('npm run officer:create creates an officer with a one-time password, audited; bad input changes nothing', async () => {
    const created = await node(
      'dist/libs/identity/src/cli.js',
      ['create', '--username', 'Cli.Officer', '--post', 'us-lax', '--role', 'officer', '--role', 'supervisor'],
      {
        DATABASE_URL: db.url,
      },
    );
    expect(created.code).toBe(0);
    expect(created.out).toContain('created officer cli.officer at US-LAX with roles officer, supervisor');
    const password = /initial password: (\S+)/.exec(created.out)![1]!;
    const [row] = (await dataSource.query(
      `SELECT id, must_change_password, password_hash, totp_secret FROM officer WHERE username = 'cli.officer'`,
    )) as {
      id: string;
      must_change_password: boolean;
      password_hash: string;
      totp_secret: string | null;
    }[];
    expect(row).toMatchObject({ must_change_password: true, totp_secret: null });
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect(row!.password_hash).not.toContain(password);
    const [audit] = (await dataSource.query(
      `SELECT actor_type, actor_id FROM audit_log WHERE action = 'officer.created' AND target_id = $1`,
      [row!.id],
    )) as { actor_type: string; actor_id: string }[];
    expect(audit).toEqual({ actor_type: 'system', actor_id: 'cli' });

    const badPost = await node(
      'dist/libs/identity/src/cli.js',
      ['create', '--username', 'nowhere', '--post', 'XX-XXX', '--role', 'officer'],
      { DATABASE_URL: db.url },
    );
    expect(badPost).toEqual({ code: 1, out: 'postCode: Select a post\n' });
    const missing = await node('dist/libs/identity/src/cli.js', ['create', '--username', 'nobody'], { DATABASE_URL: db.url });
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('usage: npm run officer:create');
    const [{ n }] = (await dataSource.query(`SELECT count(*)::int AS n FROM officer`)) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('npm run seed adds and prints the demo officers in development only', async () => {
    const production = await node('dist/libs/schema/src/cli.js', ['seed'], { DATABASE_URL: db.url, NODE_ENV: 'production' });
    expect(production.code).toBe(0);
    expect(production.out).not.toContain('demo');
    expect(await dataSource.query(`SELECT 1 FROM officer WHERE username LIKE 'demo.%'`)).toEqual([]);

    const env = testEnv(db.url, { NODE_ENV: 'development' });
    for (let run = 0; run < 2; run++) {
      const development = await node('dist/libs/schema/src/cli.js', ['seed'], env);
      expect(development.code).toBe(0);
      for (const demo of DEMO_OFFICERS)
        expect(development.out).toMatch(
          new RegExp(`${demo.username.replace('.', '\\.')} +password "${demo.password}" +post ${demo.postCode}`),
        );
      expect(development.out).toContain(DEMO_OFFICERS[0]!.totpSecret);
    }
    const rows = (await dataSource.query(
      `SELECT id, username, roles, post_code, totp_secret FROM officer WHERE username LIKE 'demo.%' ORDER BY username`,
    )) as {
      id: string;
      username: string;
      roles: string[];
      post_code: string;
      totp_secret: string;
    }[];
    expect(rows.map((r) => [r.username, r.roles])).toEqual([
      ['demo.admin', ['admin']],
      ['demo.hq', ['officer']],
      ['demo.officer', ['officer']],
      ['demo.supervisor', ['supervisor']],
    ]);
    const config = loadConfig(env);
    const cipher = new FieldCipher(config.crypto.fieldKeys, config.crypto.activeFieldKeyId);
    for (const row of rows) {
      expect(cipher.decrypt(row.totp_secret, `officer.totp_secret:${row.id}`)).toBe(
        DEMO_OFFICERS.find((d) => d.username === row.username)!.totpSecret,
      );
    }
  });
});
