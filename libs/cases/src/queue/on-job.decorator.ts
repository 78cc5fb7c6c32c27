import { SetMetadata } from '@nestjs/common';
import type { JobDeclaration } from './jobs.js';

export const ON_JOB = 'consular:on-job';

/** Marks the method that handles one declared job. Every declared job must have exactly one. */
export const OnJob = (job: JobDeclaration<never>): MethodDecorator => SetMetadata(ON_JOB, job.name);
