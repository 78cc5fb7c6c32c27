import { Redis, type RedisOptions } from 'ioredis';

/**
 * BullMQ needs connections that retry forever (`maxRetriesPerRequest: null`) and must not share
 * them with request-path commands, which should fail fast instead when Redis is away.
 */
export function createQueueConnection(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name, lazyConnect: false });
}

export function createCommandConnection(url: string, name: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    connectionName: name,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...options,
  });
}
