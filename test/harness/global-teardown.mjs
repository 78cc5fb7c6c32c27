import fs from 'node:fs';

export default async function globalTeardown() {
  const stack = globalThis.__CONSULAR_STACK__;
  if (!stack) return;
  await stack.redis.stop();
  await stack.postgres.stop();
  fs.rmSync(stack.workDir, { recursive: true, force: true });
}
