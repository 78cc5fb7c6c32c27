import { Module } from '@nestjs/common';
import { CaseSpine } from './case-spine.service.js';
import { GeneratedDocumentStore } from './generated-document.store.js';
import { OutboxWake } from './outbox/outbox.wake.js';
import { OutboxWriter } from './outbox/outbox.writer.js';
import { JobCatalogue } from './queue/job-catalogue.js';
import { QueueRegistry } from './queue/queue-registry.js';
import { HomeController } from './web/home.controller.js';

/** The case spine, the outbox writer, the queues and generated documents; imported by the API and the worker. */
@Module({
  providers: [CaseSpine, OutboxWriter, OutboxWake, JobCatalogue, QueueRegistry, GeneratedDocumentStore],
  exports: [CaseSpine, OutboxWriter, OutboxWake, JobCatalogue, QueueRegistry, GeneratedDocumentStore],
})
export class CasesModule {}

/** The public home page, which lists the services of the catalogue. */
@Module({ controllers: [HomeController] })
export class CasesWebModule {}
