import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { CasesModule } from './cases.module.js';
import { OutboxRelay } from './outbox/outbox.relay.js';
import { WORKER_CONCURRENCY, type WorkerConcurrency, WorkerHost } from './queue/worker-host.js';

/** The worker side of the spine: the outbox relay and the BullMQ workers. */
@Module({})
export class WorkerRuntimeModule {
  static forRoot(concurrency: WorkerConcurrency = {}): DynamicModule {
    return {
      module: WorkerRuntimeModule,
      imports: [DiscoveryModule, CasesModule],
      providers: [OutboxRelay, WorkerHost, { provide: WORKER_CONCURRENCY, useValue: concurrency }],
      exports: [OutboxRelay],
    };
  }
}
