import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { totpCode } from '@app/identity';
import { freePort } from '../scripts/lib/services.mjs';
import { browserInjector, submittedApplication } from './evisa/helpers.js';
import { eventually } from './harness/context.js';
import { httpInjector } from './harness/http.js';
import { Browser } from './harness/identity.js';

/** Every process below `pid`, found through /proc (postgres backends, redis, api, worker…). */
function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface PrintedUser {
  password: string;
  postCode: string;
  totpSecret: string;
}

/** The demo users as `npm run dev` prints them, by username. */
function printedUsers(output: string): Map<string, PrintedUser> {
  const users = new Map<string, PrintedUser>();
  for (const [, username, password, postCode, totpSecret] of output.matchAll(
    /^ +\S+ +(\S+) +password "([^"]+)" +post (\S+) +TOTP secret ([A-Z2-7]+)$/gm,
  )) {
    users.set(username!, { password: password!, postCode: postCode!, totpSecret: totpSecret! });
  }
  return users;
}

const run = promisify(execFile);

/**
 * One `npm run dev`, started as a newcomer starts it (its data in a folder of the test's own, named by
 * DEV_DATA_DIR), then used as a newcomer uses it: the operator commands, an eVisa with the printed
 * users, and Ctrl-C.
 */
describe('npm run dev', () => {
  let dev: ChildProcess;
  let output = '';
  let dataDir: string;
  let port: number;
  let baseUrl: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(process.env.TEST_WORK_DIR!, 'dev-'));
    port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      DEV_DATA_DIR: dataDir,
      DEV_SKIP_BUILD: '1',
      PORT: String(port),
    };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    dev = spawn(process.execPath, ['scripts/dev.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    dev.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 240_000;
    while (!output.includes('Press Ctrl-C to stop everything.') && Date.now() < deadline && dev.exitCode === null) {
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 300_000);

  afterAll(async () => {
    if (dev?.exitCode === null && dev.signalCode === null) {
      const exited = new Promise((resolve) => dev.once('exit', resolve));
      dev.kill('SIGINT');
      await exited;
    }
  });

  it('starts PostgreSQL, Redis, the API and the worker, and prints the URLs and the demo users in fewer than 40 lines', async () => {
    expect(output).toContain('Consular Services Portal is running');
    const linesToRunning = output.slice(0, output.indexOf('Consular Services Portal is running')).split('\n');
    // On failure, the output itself shows what was printed.
    expect(linesToRunning.length < 40 ? 'fewer than 40 lines' : output).toBe('fewer than 40 lines');
    // Nest's start-up narration (a line per module and per route) is gone; warnings and errors would show.
    expect(output).not.toMatch(/RoutesResolver|RouterExplorer|InstanceLoader|Mapped \{/);
    expect(output).toContain(`http://localhost:${port}/api/docs`);
    expect(output).toMatch(/demo\.admin +password "demo admin passphrase" +post HQ-TPE +TOTP secret [A-Z2-7]{32}/);
    // Once: the seed's own printout is not repeated.
    expect(output.match(/Demo officers/g)).toHaveLength(1);
    const ready = await fetch(`${baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    const inbox = /mail inbox\s+(http:\/\/localhost:\d+\/)/.exec(output)?.[1];
    expect(inbox).toBeDefined();
    expect((await fetch(inbox!, { headers: { accept: 'text/html' } })).status).toBe(200);
    const workerMetrics = /the worker's: (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(output)?.[1];
    expect(workerMetrics).toBeDefined();
    // The worker starts beside the API and may still be connecting when the API is ready.
    const scraped = await eventually(
      () =>
        fetch(workerMetrics!).then(
          (r) => r.text(),
          () => '',
        ),
      (body) => body.length > 0,
      60_000,
    );
    expect(scraped).toContain('# TYPE worker_jobs_total counter');
  });

  it('the operator commands of the README find the stack by themselves (no DATABASE_URL, no keys)', async () => {
    const stackFile = path.join(dataDir, 'dev-stack.json');
    expect(output).toContain(`find this stack in ${path.relative(process.cwd(), stackFile)}`);
    expect(fs.statSync(stackFile).mode & 0o777).toBe(0o600);
    expect(Object.keys((JSON.parse(fs.readFileSync(stackFile, 'utf8')) as { env: object }).env)).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'FIELD_ENCRYPTION_KEYS', 'BLIND_INDEX_KEY', 'SEAL_SIGNING_KEYS']),
    );

    // A newcomer's shell: none of the stack's variables. DEV_DATA_DIR only points at this test's
    // stack instead of the worktree's .data/.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DEV_DATA_DIR: dataDir };
    const npm = async (...args: string[]) => {
      const { stdout, stderr } = await run('npm', ['run', ...args], { env });
      return stdout + stderr;
    };
    const usedFile = `using the development stack of \`npm run dev\` (pid ${dev.pid}) described in ${path.relative(process.cwd(), stackFile)}`;

    const created = await npm('officer:create', '--', '--username', 'newcomer.one', '--post', 'US-LAX', '--role', 'officer');
    expect(created).toContain(usedFile);
    expect(created).toContain('created officer newcomer.one at US-LAX with roles officer');
    expect(created).toMatch(/initial password: \S+/);

    const verified = await npm('audit:verify');
    expect(verified).toContain(usedFile);
    // The demo officers' creation and the new officer's, at least.
    expect(Number(/audit log intact: (\d+) rows/.exec(verified)?.[1])).toBeGreaterThanOrEqual(5);

    expect(await npm('migrate')).toContain('migrations: up to date');
    const backups = fs.mkdtempSync(path.join(dataDir, 'backups-'));
    const backedUp = await npm('backup', '--', '--out', backups);
    expect(backedUp).toContain(usedFile);
    expect(fs.readdirSync(backups).filter((name) => name.endsWith('.dump'))).toHaveLength(1);
  });

  it('takes an eVisa from application to issue with the demo user the printout names for eVisas', async () => {
    const username = /^ +eVisa +(\S+) /m.exec(output)?.[1];
    const user = printedUsers(output).get(username!);
    expect(user).toBeDefined();

    // The applicant: a Philippine national, so the case goes to the Manila post.
    const { caseId, reference } = await submittedApplication(await browserInjector(httpInjector(baseUrl)));

    // The printed officer signs in with the printed password and a code from the printed TOTP secret.
    const desk = new Browser(httpInjector(baseUrl));
    await desk.get('/officer/sign-in');
    expect((await desk.post('/officer/sign-in', { username: username!, password: user!.password })).headers.location).toBe(
      '/officer/sign-in/mfa',
    );
    await desk.get('/officer/sign-in/mfa');
    expect((await desk.post('/officer/sign-in/mfa', { code: totpCode(user!.totpSecret, new Date()) })).headers.location).toBe('/officer');

    // The case is in their queue: claim it and approve it.
    expect((await desk.get('/officer/queue')).body).toContain(reference);
    expect((await desk.post('/officer/queue/claim-next', {})).headers.location).toBe(`/officer/cases/${caseId}`);
    const casePage = await desk.get(`/officer/cases/${caseId}`);
    const version = /name="expectedVersion" value="(\d+)"/.exec(casePage.body)?.[1];
    expect(version).toBeDefined();
    const decided = await desk.post(`/officer/cases/${caseId}/decide`, { action: 'approve', expectedVersion: version! });
    expect(decided.headers.location).toBe(`/officer/cases/${caseId}?done=approve`);

    // The worker renders the eVisa; then the citizen's status page shows it issued.
    const issued = await eventually(
      () => desk.get(`/officer/cases/${caseId}`).then((page) => page.body),
      (body) => body.includes('title="ISSUED"'),
      60_000,
    );
    expect(issued).toContain('title="ISSUED"');
    const citizen = new Browser(httpInjector(baseUrl));
    await citizen.get('/status');
    const status = await citizen.post('/status', { reference, surname: 'Dela Cruz', dobDay: '27', dobMonth: '4', dobYear: '1990' });
    expect(status.statusCode).toBe(200);
    expect(status.body).toContain('eVisa issued');
  });

  it('SIGINT stops every process it started and removes the stack file; the commands then say to start it', async () => {
    const started = descendants(dev.pid!);
    expect(started.length).toBeGreaterThanOrEqual(4);
    const exited = new Promise((resolve) => dev.once('exit', resolve));
    dev.kill('SIGINT');
    await exited;
    await new Promise((r) => setTimeout(r, 500));
    expect(started.filter(alive)).toEqual([]);
    expect(output).toContain('stopped everything that was started');
    expect(fs.existsSync(path.join(dataDir, 'dev-stack.json'))).toBe(false);

    const refused = await run(process.execPath, ['dist/libs/audit/src/cli.js', 'verify'], {
      env: { PATH: process.env.PATH, DEV_DATA_DIR: dataDir },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('in development, start `npm run dev` first');
  });
});
