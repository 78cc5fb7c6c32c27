import type { FastifyInstance } from 'fastify';
import { DomainException } from '../errors/domain-exception.js';

/**
 * How deeply a request body may nest. class-transformer and class-validator recurse once per
 * level, so a JSON body of a few thousand nested arrays overflows the stack inside the
 * ValidationPipe (a 500); no form or DTO of ours nests more than a few levels.
 */
export const MAX_BODY_DEPTH = 32;

/** Walks the value with an explicit stack (recursion is what overflows), stopping at the first level too deep. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

/** Refuses, with 400 before any handler or pipe runs, a parsed body nested more than `limit` levels. */
export function registerBodyDepthLimit(fastify: FastifyInstance, limit = MAX_BODY_DEPTH): void {
  fastify.addHook('preValidation', async (request) => {
    if (nestedDeeperThan(request.body, limit)) {
      throw new DomainException('BAD_REQUEST', `The request body is nested more than ${limit} levels deep.`);
    }
  });
}
