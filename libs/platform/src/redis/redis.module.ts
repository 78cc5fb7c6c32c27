import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { createCommandConnection } from './redis.js';

export const REDIS = Symbol('REDIS');

/** The shared request-path Redis client: rate limits, health checks. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => {
        // Under the deployment's prefix, like its queues, so deployments sharing one Redis keep their
        // rate limits and locks apart.
        const client = createCommandConnection(c.redisUrl, 'consular-commands', { keyPrefix: `${c.queuePrefix}:` });
        client.on('error', () => undefined); // surfaced through /health/ready, not as a crash
        return client;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
