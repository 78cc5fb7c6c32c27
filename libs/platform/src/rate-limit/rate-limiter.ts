import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DomainException, registerErrorCodes } from '../errors/domain-exception.js';
import { REDIS } from '../redis/redis.module.js';

export const RateLimitErrors = registerErrorCodes({ TOO_MANY_REQUESTS: 429 });

export interface LimitResult {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters in Redis, so limits hold across every API instance. Keys are hashed by
 * the caller when they contain anything personal (an IP is fine; a reference or email is not).
 */
@Injectable()
export class RateLimiter {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<LimitResult> {
    const redisKey = `ratelimit:${key}`;
    const [[, count], [, ttl]] = (await this.redis.multi().incr(redisKey).ttl(redisKey).exec()) as [[null, number], [null, number]];
    if (ttl < 0) await this.redis.expire(redisKey, windowSeconds);
    return { allowed: count <= limit, count, retryAfterSeconds: ttl > 0 ? ttl : windowSeconds };
  }

  /** Counts a hit and throws 429 TOO_MANY_REQUESTS past the limit. */
  async consume(key: string, limit: number, windowSeconds: number): Promise<LimitResult> {
    const result = await this.hit(key, limit, windowSeconds);
    if (!result.allowed) {
      throw new DomainException(RateLimitErrors.TOO_MANY_REQUESTS, 'Too many requests. Try again later.', {
        retryAfterSeconds: result.retryAfterSeconds,
      });
    }
    return result;
  }

  async peek(key: string): Promise<number> {
    return Number((await this.redis.get(`ratelimit:${key}`)) ?? 0);
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(`ratelimit:${key}`);
  }
}
