import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from './config/config.js';
import { Clock, SystemClock } from './clock.js';
import { ConfigModule } from './config/config.module.js';
import { CryptoModule } from './crypto/crypto.module.js';
import { Metrics } from './metrics/metrics.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import { RedisModule } from './redis/redis.module.js';
import { StorageModule } from './storage/storage.module.js';
import { Messages } from './web/i18n.js';

/** Configuration, crypto, storage, Redis, metrics and messages: what every other library builds on. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig, options: { clock?: Clock } = {}): DynamicModule {
    return {
      module: PlatformModule,
      imports: [ConfigModule.forRoot(config), CryptoModule, StorageModule, RedisModule],
      providers: [
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        Metrics,
        RateLimiter,
        { provide: Messages, useFactory: () => new Messages() },
      ],
      exports: [Clock, ConfigModule, CryptoModule, StorageModule, RedisModule, Metrics, Messages, RateLimiter],
    };
  }
}
