// The Debian packages `npm test` and `npm run dev` need beyond Node.js, found by their programs on
// PATH and installed with apt-get when this process may (root, or sudo without a password).
// Otherwise one message names the exact command. Node built-ins only: it runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** redis-server: the queues of `npm run dev` and of the test harness. */
export const REDIS_SERVER = { name: 'redis-server', programs: ['redis-server'] };

/** What the tests run besides Node.js; `.ci/run` and `npm test` both install from this one list. */
export const TEST_PACKAGES = [
  REDIS_SERVER,
  // The browser journeys drive Debian's Chromium (test/browser/harness.ts).
  { name: 'chromium', programs: ['chromium'] },
  // Generated PDFs are read back as text and as images, and their QR codes decoded.
  { name: 'poppler-utils', programs: ['pdftotext', 'pdftoppm'] },
  { name: 'zbar-tools', programs: ['zbarimg'] },
  // Backup and restore, the benchmarks' baselines.
  { name: 'postgresql-client', programs: ['psql', 'pg_dump', 'pg_restore', 'pgbench'] },
  // test/ops/compose.test.ts resolves docker/compose.yml (no Docker engine needed).
  { name: 'docker-compose', programs: ['docker-compose'] },
];

export class MissingPackagesError extends Error {}

/** The path of `program` on PATH, like `command -v`, or null. */
export function findProgram(program, env = process.env) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, program);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function missingFrom(packages) {
  return packages.filter((pkg) => pkg.programs.some((program) => !findProgram(program)));
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * How this process can run apt-get as root: directly, through sudo without a password, or not at
 * all (null). sudo resets the environment, so the non-interactive front end goes on its command line.
 */
function aptGet() {
  if (!findProgram('apt-get')) return null;
  if (isRoot()) return ['apt-get'];
  if (findProgram('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) {
    return ['sudo', '-n', 'DEBIAN_FRONTEND=noninteractive', 'apt-get'];
  }
  return null;
}

function installCommand(names) {
  const sudo = isRoot() ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${names.join(' ')}`;
}

function describe(packages) {
  return packages.map((pkg) => `${pkg.programs.filter((p) => !findProgram(p)).join(', ')} (${pkg.name})`).join('; ');
}

/**
 * Makes sure every program of `packages` is on PATH: installs the missing packages with apt-get when
 * it may, else throws MissingPackagesError with one message that names the command to run.
 * `purpose` says who needs them ("npm test"). Returns the names of the packages it installed.
 */
export function ensureSystemPackages(packages, purpose) {
  const missing = missingFrom(packages);
  if (missing.length === 0) return [];
  const names = missing.map((pkg) => pkg.name);
  const apt = aptGet();
  let failure = '';
  if (apt) {
    process.stdout.write(`[setup] ${purpose} needs ${describe(missing)}: installing ${names.join(' ')} with apt-get\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const run = (args) => spawnSync(apt[0], [...apt.slice(1), ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const update = run(['update', '-qq']);
    const install = update.status === 0 ? run(['install', '-y', '-qq', '--no-install-recommends', ...names]) : update;
    const left = missingFrom(packages);
    if (install.status === 0 && left.length === 0) return names;
    failure =
      install.status === 0
        ? ` apt-get installed them, yet ${describe(left)} is still not on PATH.`
        : ` apt-get failed (exit ${install.status ?? install.signal}).`;
  } else if (findProgram('apt-get')) {
    failure = ' Installing them needs root (or sudo without a password).';
  }
  throw new MissingPackagesError(
    `${purpose} needs programs that are not installed: ${describe(missing)}.${failure} Install them with:\n` +
      `  ${installCommand(names)}\n` +
      '(Debian and Ubuntu package names; elsewhere install the same programs and put them on PATH.)',
  );
}
