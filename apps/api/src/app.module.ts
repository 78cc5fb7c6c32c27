import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type AppConfig, PlatformModule } from '@app/platform';
import { CasesModule, CasesWebModule } from '@app/cases';
import { NotificationsWebModule } from '@app/notifications';
import { StatusModule } from '@app/status';
import { dataSourceOptions } from '@app/schema';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { QueueMetrics } from './queue-metrics.js';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PlatformModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, config.databasePoolSize)),
        TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' }),
        CasesModule,
        CasesWebModule,
        NotificationsWebModule,
        StatusModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [QueueMetrics],
    };
  }
}
