#!/usr/bin/env node
// `npm run setup`: the system packages the tests need (scripts/lib/system-packages.mjs), installed
// with apt-get when this user may, else one message with the command to run (exit 1). `npm test`
// and `.ci/run` start with this same step. Node built-ins only: it runs before `npm ci`.
import { pathToFileURL } from 'node:url';
import { ensureSystemPackages, MissingPackagesError, TEST_PACKAGES } from './lib/system-packages.mjs';

/** Exits the process with the message when a package is missing and cannot be installed. */
export function setUpTestMachine() {
  try {
    ensureSystemPackages(TEST_PACKAGES, 'npm test');
  } catch (error) {
    if (!(error instanceof MissingPackagesError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) setUpTestMachine();
