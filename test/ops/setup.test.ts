// scripts/setup.mjs, the first step of `npm test` and `.ci/run`, on a machine without the system
// packages: PATH holds only a folder of our own, so every program the tests need is "missing".
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What each Debian package puts on PATH, as Debian ships it: the fake apt-get "installs" these. */
const DEBIAN = {
  'redis-server': ['redis-server', 'redis-check-aof'],
  chromium: ['chromium'],
  'poppler-utils': ['pdftotext', 'pdftoppm', 'pdfinfo'],
  'zbar-tools': ['zbarimg', 'zbarcam'],
  'postgresql-client': ['psql', 'pg_dump', 'pg_restore', 'pgbench'],
  'docker-compose': ['docker-compose'],
} as const;
const ALL_PACKAGES = Object.keys(DEBIAN);
const NEEDED = [
  'redis-server',
  'chromium',
  'pdftotext',
  'pdftoppm',
  'zbarimg',
  'psql',
  'pg_dump',
  'pg_restore',
  'pgbench',
  'docker-compose',
];
const COMMAND = `apt-get install -y --no-install-recommends ${ALL_PACKAGES.join(' ')}`;

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const isRoot = process.getuid?.() === 0;

/** A folder `nobody` can read too, for the run without root. */
function folder(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `setup-${name}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

function executable(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o755 });
}

/**
 * apt-get as a Node script: records every call in `calls.jsonl` (its arguments, its user and its
 * DEBIAN_FRONTEND); `install` links the real programs of each package into `bin`, unless `failing`.
 */
function fakeAptGet(bin: string, log: string, options: { failing?: boolean } = {}): void {
  const real = Object.fromEntries(
    Object.values(DEBIAN)
      .flat()
      .map((program) => [program, spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim()]),
  );
  executable(
    path.join(bin, 'apt-get'),
    `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, uid: process.getuid(), frontend: process.env.DEBIAN_FRONTEND }) + '\\n');
if (args[0] !== 'install') process.exit(0);
if (${JSON.stringify(Boolean(options.failing))}) { console.error('E: Unable to fetch some archives'); process.exit(100); }
const debian = ${JSON.stringify(DEBIAN)};
const real = ${JSON.stringify(real)};
for (const name of args.slice(1).filter((a) => !a.startsWith('-'))) {
  if (!debian[name]) { console.error('E: Unable to locate package ' + name); process.exit(100); }
  for (const program of debian[name]) if (real[program]) fs.symlinkSync(real[program], path.join(${JSON.stringify(bin)}, program));
}
`,
  );
}

/** sudo that refuses without a password, as on a developer's machine. */
function sudoWithPassword(bin: string): void {
  executable(path.join(bin, 'sudo'), '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n');
}

/** sudo without a password: runs the command, with any VAR=value before it. */
function passwordlessSudo(bin: string): void {
  executable(
    path.join(bin, 'sudo'),
    '#!/bin/sh\n[ "$1" = "-n" ] && shift\n[ "$1" = true ] && exit 0\nwhile case "$1" in *=*) true;; *) false;; esac; do export "$1"; shift; done\nexec "$@"\n',
  );
}

function run(script: string, bin: string, options: { asNobody?: boolean } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [path.join(ROOT, script)], {
    cwd: ROOT,
    env: { PATH: bin, HOME: os.tmpdir() },
    encoding: 'utf8',
    ...(options.asNobody ? { uid: 65534, gid: 65534 } : {}),
  });
}

const calls = (log: string) =>
  fs.existsSync(log)
    ? fs
        .readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { args: string[]; uid: number; frontend?: string })
    : [];

/** The one message: every missing program with its package, and the command that installs them all. */
function expectOneMessageNamingEverything(result: SpawnSyncReturns<string>): void {
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/^npm test needs programs that are not installed: /m);
  expect(result.stderr.match(/needs programs/g)).toHaveLength(1);
  for (const program of NEEDED) expect(result.stderr).toContain(program);
  expect(result.stderr).toContain(COMMAND);
}

describe('scripts/setup.mjs: the system packages npm test needs', () => {
  it('installs every missing package with apt-get, then finds every program and installs nothing more', () => {
    const bin = folder('bin');
    const log = path.join(folder('log'), 'calls.jsonl');
    fakeAptGet(bin, log);
    // Not root here: the same install goes through sudo, which must not ask for a password.
    if (!isRoot) passwordlessSudo(bin);

    const first = run('scripts/setup.mjs', bin);
    expect([first.status, first.stderr]).toEqual([0, '']);
    expect(first.stdout).toContain(`installing ${ALL_PACKAGES.join(' ')} with apt-get`);
    expect(calls(log).map((call) => call.args)).toEqual([
      ['update', '-qq'],
      ['install', '-y', '-qq', '--no-install-recommends', ...ALL_PACKAGES],
    ]);
    expect(calls(log).map((call) => call.frontend)).toEqual(['noninteractive', 'noninteractive']);
    for (const program of NEEDED) expect(fs.existsSync(path.join(bin, program))).toBe(true);

    const again = run('scripts/setup.mjs', bin);
    expect([again.status, again.stdout, again.stderr]).toEqual([0, '', '']);
    expect(calls(log)).toHaveLength(2);
  });

  it('installs only what is missing', () => {
    const bin = folder('bin');
    const log = path.join(folder('log'), 'calls.jsonl');
    fakeAptGet(bin, log);
    if (!isRoot) passwordlessSudo(bin);
    for (const program of NEEDED.filter((p) => p !== 'zbarimg' && p !== 'docker-compose')) {
      fs.symlinkSync(spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim(), path.join(bin, program));
    }
    expect(run('scripts/setup.mjs', bin).status).toBe(0);
    expect(calls(log).at(-1)!.args).toEqual(['install', '-y', '-qq', '--no-install-recommends', 'zbar-tools', 'docker-compose']);
  });

  it('without apt-get, names every missing program and the command in one message, before npm test compiles anything', () => {
    const bin = folder('bin');
    expectOneMessageNamingEverything(run('scripts/setup.mjs', bin));

    // npm test and .ci/run stop at the same step, with the same message.
    const test = run('scripts/test.mjs', bin);
    expectOneMessageNamingEverything(test);
    expect(test.stdout).not.toContain('compiling');
    for (const program of ['node', 'dirname']) {
      fs.symlinkSync(spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim(), path.join(bin, program));
    }
    const ci = spawnSync('/bin/bash', [path.join(ROOT, '.ci/run')], { cwd: ROOT, env: { PATH: bin }, encoding: 'utf8' });
    expectOneMessageNamingEverything(ci);
    expect(ci.stdout).not.toContain('npm');
  });

  it('when apt-get fails, says so in the same message', () => {
    const bin = folder('bin');
    const log = path.join(folder('log'), 'calls.jsonl');
    fakeAptGet(bin, log, { failing: true });
    if (!isRoot) passwordlessSudo(bin);
    const result = run('scripts/setup.mjs', bin);
    expectOneMessageNamingEverything(result);
    expect(result.stderr).toContain('apt-get failed (exit 100)');
  });

  it('without root and with a sudo that asks for a password, runs no apt-get and says sudo is needed', () => {
    const bin = folder('bin');
    const log = path.join(folder('log'), 'calls.jsonl');
    fakeAptGet(bin, log);
    sudoWithPassword(bin);
    fs.chmodSync(path.dirname(log), 0o777);
    // As root, the same run as the unprivileged user nobody.
    const result = run('scripts/setup.mjs', bin, { asNobody: isRoot });
    expectOneMessageNamingEverything(result);
    expect(result.stderr).toContain('Installing them needs root (or sudo without a password).');
    expect(result.stderr).toContain(`sudo apt-get update && sudo ${COMMAND}`);
    expect(calls(log)).toEqual([]);
  });
});
