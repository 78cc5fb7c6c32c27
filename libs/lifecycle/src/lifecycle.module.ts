import { Module } from '@nestjs/common';
import { CasesModule } from '@app/cases';
import { OrphanFileSweeper } from './orphan-files.service.js';
import { RetentionService } from './retention.service.js';
import { SubjectAccessController } from './subject-access.controller.js';
import { SubjectAccessService } from './subject-access.service.js';

/** The API side: subject access exports for supervisors. */
@Module({
  imports: [CasesModule],
  controllers: [SubjectAccessController],
  providers: [SubjectAccessService],
})
export class LifecycleModule {}

/** The worker side: the retention job that anonymises closed cases, and the sweep of stored files no row references. */
@Module({ imports: [CasesModule], providers: [RetentionService, OrphanFileSweeper] })
export class LifecycleWorkerModule {}
