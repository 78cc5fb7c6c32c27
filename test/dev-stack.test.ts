import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../scripts/lib/services.mjs';
import { eventually } from './harness/context.js';

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

describe('npm run dev', () => {
  it('starts PostgreSQL, Redis, the API and the worker, reaches /health/ready, and SIGINT leaves no process behind', async () => {
    const dataDir = fs.mkdtempSync(path.join(process.env.TEST_WORK_DIR!, 'dev-'));
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      DEV_DATA_DIR: dataDir,
      DEV_SKIP_BUILD: '1',
      PORT: String(port),
    };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    const dev = spawn(process.execPath, ['scripts/dev.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    dev.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const deadline = Date.now() + 240_000;
    while (!output.includes('Consular Services Portal is running') && Date.now() < deadline && dev.exitCode === null) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(output).toContain('Consular Services Portal is running');
    expect(output).toContain(`http://localhost:${port}/api/docs`);
    expect(output).toMatch(/demo\.admin +password "demo admin passphrase" +post HQ-TPE +TOTP secret [A-Z2-7]{32}/);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
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

    const started = descendants(dev.pid!);
    expect(started.length).toBeGreaterThanOrEqual(4);
    const exited = new Promise((resolve) => dev.once('exit', resolve));
    dev.kill('SIGINT');
    await exited;
    await new Promise((r) => setTimeout(r, 500));
    expect(started.filter(alive)).toEqual([]);
    expect(output).toContain('stopped everything that was started');
  }, 300_000);
});
