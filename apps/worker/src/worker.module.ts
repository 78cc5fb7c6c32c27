import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type AppConfig, type Clock, PlatformModule } from '@app/platform';
import { QueueName, ServiceCatalogueModule, WorkerRuntimeModule } from '@app/cases';
import { SERVICE_CATALOGUE } from '@app/catalogue';
import { NotificationsWorkerModule } from '@app/notifications';
import { AuditModule } from '@app/audit';
import { IdentityModule } from '@app/identity';
import { ReviewWorkerModule } from '@app/review';
import { LifecycleWorkerModule } from '@app/lifecycle';
import { dataSourceOptions } from '@app/schema';
import { WorkerHttp } from './worker-http.js';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot(config, { clock }),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, config.databasePoolSize)),
        // The worker's retention job erases every service's personal data; its other ports are the API's.
        ServiceCatalogueModule.forRoot(SERVICE_CATALOGUE, ['personalData']),
        WorkerRuntimeModule.forRoot({ [QueueName.Documents]: 2, [QueueName.Notifications]: 8 }),
        NotificationsWorkerModule,
        ...SERVICE_CATALOGUE.map((service) => service.modules.worker),
        AuditModule,
        IdentityModule,
        ReviewWorkerModule,
        LifecycleWorkerModule,
      ],
      providers: [WorkerHttp],
    };
  }
}
