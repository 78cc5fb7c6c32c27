import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { type AppConfig, type Clock, PlatformModule } from '@app/platform';
import { QueueName, WorkerRuntimeModule } from '@app/cases';
import { NotificationsWorkerModule } from '@app/notifications';
import { EvisaWorkerModule } from '@app/evisa';
import { EmergencyWorkerModule } from '@app/emergency';
import { LegalisationWorkerModule } from '@app/legalisation';
import { PassportsWorkerModule } from '@app/passports';
import { AbtcWorkerModule } from '@app/abtc';
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
        WorkerRuntimeModule.forRoot({ [QueueName.Documents]: 2, [QueueName.Notifications]: 8 }),
        NotificationsWorkerModule,
        EvisaWorkerModule.forRoot(),
        EmergencyWorkerModule,
        LegalisationWorkerModule,
        PassportsWorkerModule,
        AbtcWorkerModule,
        AuditModule,
        IdentityModule,
        ReviewWorkerModule,
        LifecycleWorkerModule,
      ],
      providers: [WorkerHttp],
    };
  }
}
