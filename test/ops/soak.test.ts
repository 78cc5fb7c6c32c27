import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createTestDatabase } from '../harness/context.js';

/** Runs a command to its end; resolves with its exit code and everything it printed. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run soak', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  it('runs the mixed load for a few seconds against its own API and worker and records errors and memory between its markers', async () => {
    const out = path.join(process.env.TEST_WORK_DIR!, `soak-${randomUUID()}.md`);
    const benchmarkTable = '<!-- results:start -->\nthe benchmark table\n<!-- results:end -->';
    fs.writeFileSync(
      out,
      `# Benchmark results\n\n${benchmarkTable}\n\n## Soak\n\n<!-- soak:start -->\nan older run\n<!-- soak:end -->\n\nAfter.\n`,
    );
    const { code, output } = await run(['bench/soak.mjs', '--minutes', '0.1', '--no-build', '--out', out], {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL: process.env.TEST_REDIS_URL,
      QUEUE_PREFIX: `soak${randomUUID().slice(0, 8)}`,
    });
    expect([code, code === 0 ? '' : output]).toEqual([0, '']);

    const written = fs.readFileSync(out, 'utf8');
    expect(written).toContain(benchmarkTable);
    expect(written).not.toContain('an older run');
    expect(written.match(/<!-- soak:start -->/g)).toHaveLength(1);
    expect(written.endsWith('<!-- soak:end -->\n\nAfter.\n')).toBe(true);
    expect(written).toMatch(/Soak run of .*: 0\.1 min at \d+ req\/s, half the \d+ req\/s peak/);
    const [, total, failed] = /Requests: (\d+), errors \(non-2xx or failed\): (\d+)/.exec(written) ?? [];
    expect(Number(total)).toBeGreaterThan(0);
    expect(Number(failed)).toBe(0);
    // Every kind of request was sent and answered 2xx.
    for (const row of ['GET / (home page)', 'register look-up', 'eVisa draft', 'GET /api/v1/officer/queue (access token)']) {
      expect(written).toMatch(
        new RegExp(`\\| [^|\\n]*${row.replace(/[()/]/g, '\\$&')}[^|\\n]* +\\| \\d+ % +\\| [1-9]\\d* +\\| 0 +\\| (20[01]): [1-9]\\d* +\\|`),
      );
    }
    for (const name of ['api', 'worker']) {
      expect(written).toMatch(new RegExp(`\\| ${name} +(\\| \\d+(\\.\\d)? +){4}\\|`));
    }
  }, 180_000);
});
