import { SetMetadata } from '@nestjs/common';
import type { JobName } from './jobs.js';

export const ON_JOB = 'consular:on-job';

/** Marks the method that handles one named job. Every JobName must have exactly one. */
export const OnJob = (name: JobName): MethodDecorator => SetMetadata(ON_JOB, name);
