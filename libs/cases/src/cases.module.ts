import { Module } from '@nestjs/common';
import { CaseSpine } from './case-spine.service.js';
import { OutboxWake } from './outbox/outbox.wake.js';
import { OutboxWriter } from './outbox/outbox.writer.js';
import { QueueRegistry } from './queue/queue-registry.js';
import { HomeController } from './web/home.controller.js';

/** The case spine, the outbox writer and the queues; imported by the API and the worker. */
@Module({
  providers: [CaseSpine, OutboxWriter, OutboxWake, QueueRegistry],
  exports: [CaseSpine, OutboxWriter, OutboxWake, QueueRegistry],
})
export class CasesModule {}

/** The public home page, which lists the services. */
@Module({ controllers: [HomeController] })
export class CasesWebModule {}
