import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { CryptoModule } from './crypto/crypto.module.js';
import { Metrics } from './metrics/metrics.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import { RedisModule } from './redis/redis.module.js';
import { StorageModule } from './storage/storage.module.js';
import { Clock, SystemClock } from './time/clock.js';
import { Messages } from './web/i18n.js';

/** Configuration, crypto, storage, Redis, metrics, messages and the clock: what every other library builds on. */
@Global()
@Module({})
export class PlatformModule {
  /** `clock` replaces the system clock (tests move time forward with it). */
  static forRoot(config: AppConfig, options: { clock?: Clock } = {}): DynamicModule {
    return {
      module: PlatformModule,
      imports: [ConfigModule.forRoot(config), CryptoModule, StorageModule, RedisModule],
      providers: [
        Metrics,
        RateLimiter,
        { provide: Messages, useFactory: () => new Messages() },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
      ],
      exports: [ConfigModule, CryptoModule, StorageModule, RedisModule, Metrics, Messages, RateLimiter, Clock],
    };
  }
}
