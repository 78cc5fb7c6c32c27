import { Injectable } from '@nestjs/common';
import { ServiceCatalogue } from '../catalogue/service-catalogue.js';
import { CORE_JOBS, type JobDeclaration } from './jobs.js';

/** Every job this process knows: the platform's and those of each service in the catalogue. */
@Injectable()
export class JobCatalogue {
  private readonly byName: ReadonlyMap<string, JobDeclaration<never>>;

  constructor(services: ServiceCatalogue) {
    const jobs = [...Object.values(CORE_JOBS), ...services.jobs()] as JobDeclaration<never>[];
    const byName = new Map<string, JobDeclaration<never>>();
    for (const job of jobs) {
      if (byName.has(job.name)) throw new Error(`refusing to start: job "${job.name}" is declared twice`);
      byName.set(job.name, job);
    }
    this.byName = byName;
  }

  all(): JobDeclaration<never>[] {
    return [...this.byName.values()];
  }

  find(name: string): JobDeclaration<never> | undefined {
    return this.byName.get(name);
  }

  get(name: string): JobDeclaration<never> {
    const job = this.byName.get(name);
    if (!job) throw new Error(`no job "${name}" is declared`);
    return job;
  }
}
