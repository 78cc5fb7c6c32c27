import { Module } from '@nestjs/common';
import { CasesModule } from '@app/cases';
import { PersonalDataRegistry } from './personal-data.registry.js';
import { RetentionService } from './retention.service.js';
import { SubjectAccessController } from './subject-access.controller.js';
import { SubjectAccessService } from './subject-access.service.js';

/** The registry each service library registers its PersonalDataPort with; one instance per application. */
@Module({ providers: [PersonalDataRegistry], exports: [PersonalDataRegistry] })
export class PersonalDataModule {}

/** The API side: subject access exports for supervisors. */
@Module({
  imports: [CasesModule, PersonalDataModule],
  controllers: [SubjectAccessController],
  providers: [SubjectAccessService],
})
export class LifecycleModule {}

/** The worker side: the retention job that anonymises closed cases. */
@Module({ imports: [CasesModule, PersonalDataModule], providers: [RetentionService] })
export class LifecycleWorkerModule {}
