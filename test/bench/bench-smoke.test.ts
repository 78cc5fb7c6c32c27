import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../harness/context.js';

const ROOT = process.cwd(); // scripts/test.mjs runs Jest from the project root

interface Row {
  id: string;
  error?: string;
  ratio: number;
  figure: { value: number; p50: number; p95: number; p99: number };
  baseline: { value: number };
}

/**
 * The benchmark smoke run: `npm run bench -- --quick` on its leanest benchmark, against the test
 * PostgreSQL and Redis, writing into a temporary folder so the committed bench/RESULTS.md is left alone.
 * It checks that the harness works end to end, not how fast anything is.
 */
describe('npm run bench -- --quick (smoke)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let out: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    out = fs.mkdtempSync(path.join(process.env.TEST_WORK_DIR ?? os.tmpdir(), 'bench-'));
  });

  afterAll(async () => {
    fs.rmSync(out, { recursive: true, force: true });
    await db.drop();
  });

  it('writes RESULTS.md, latest.json and a chart with finite figures into --out, and leaves bench/RESULTS.md alone', async () => {
    const committed = fs.readFileSync(path.join(ROOT, 'bench/RESULTS.md'), 'utf8');
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bench/run.mjs'), '--quick', '--only=framework-overhead', '--no-build', '--out', out],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.url, REDIS_URL: process.env.TEST_REDIS_URL, QUEUE_PREFIX: `bench${process.pid}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect([code, code === 0 ? '' : output.slice(-3000)]).toEqual([0, '']);

    const latest = JSON.parse(fs.readFileSync(path.join(out, 'results/latest.json'), 'utf8')) as {
      quick: boolean;
      machine: { cores: number };
      peakRss: Record<string, number>;
      rows: Row[];
    };
    expect(latest.quick).toBe(true);
    expect(latest.machine.cores).toBeGreaterThan(0);
    expect(latest.rows.map((r) => [r.id, r.error])).toEqual([['framework-overhead', undefined]]);
    const [row] = latest.rows;
    for (const value of [row!.ratio, row!.figure.value, row!.baseline.value, row!.figure.p50, row!.figure.p95, row!.figure.p99]) {
      expect(Number.isFinite(value)).toBe(true);
    }
    expect(row!.figure.value).toBeGreaterThan(0);
    expect(Number.isFinite(latest.peakRss.api)).toBe(true);

    const results = fs.readFileSync(path.join(out, 'RESULTS.md'), 'utf8');
    expect(results).toContain('<!-- results:start -->');
    expect(results).toContain('Framework overhead');
    expect(fs.readFileSync(path.join(out, 'results/framework-overhead.svg'), 'utf8')).toMatch(/^<svg /);
    expect(fs.readFileSync(path.join(ROOT, 'bench/RESULTS.md'), 'utf8')).toBe(committed);
  }, 180_000);
});
