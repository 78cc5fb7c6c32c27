import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type AppConfig, type Clock, PlatformModule } from '@app/platform';
import { CasesModule, CasesWebModule, ServiceCatalogueModule } from '@app/cases';
import { SERVICE_CATALOGUE } from '@app/catalogue';
import { AuditModule, AuditWebModule } from '@app/audit';
import { IdentityModule } from '@app/identity';
import { DocumentsApiModule } from '@app/documents';
import { ReviewModule } from '@app/review';
import { NotificationsWebModule } from '@app/notifications';
import { StatusModule } from '@app/status';
import { LifecycleModule } from '@app/lifecycle';
import { dataSourceOptions } from '@app/schema';
import { FaviconController } from './favicon.controller.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { QueueMetrics } from './queue-metrics.js';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, options: { clock?: Clock } = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PlatformModule.forRoot(config, { clock: options.clock }),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, config.databasePoolSize)),
        TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' }),
        // The API shows every service's pages, details and decisions: every port must resolve.
        ServiceCatalogueModule.forRoot(SERVICE_CATALOGUE, ['personalData', 'statusDetails', 'shareableDocument', 'review']),
        CasesModule,
        CasesWebModule,
        AuditModule,
        AuditWebModule,
        IdentityModule,
        DocumentsApiModule,
        ...SERVICE_CATALOGUE.map((service) => service.modules.api),
        ReviewModule,
        NotificationsWebModule,
        StatusModule,
        LifecycleModule,
      ],
      controllers: [HealthController, MetricsController, FaviconController],
      providers: [QueueMetrics],
    };
  }
}
