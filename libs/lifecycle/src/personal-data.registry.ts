import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Service } from '@app/cases';

/**
 * What a service library holds about the applicant of one of its cases, beyond the case spine's
 * contact columns and files. Each service registers one (in `onModuleInit`), so the retention job
 * and the subject access export reach every service's personal data without importing any service.
 */
export interface PersonalDataPort {
  /**
   * Clears the service's personal data of a closed case, in the caller's transaction. Rows stay
   * (history and statistics point at them); their personal columns are emptied. References to the
   * case's files must be cleared here: the caller deletes every file of the case afterwards.
   */
  erase(manager: EntityManager, caseId: string): Promise<void>;
  /** Everything the service holds about the applicant of a case, decrypted, for a subject access request. */
  export(manager: EntityManager, caseId: string): Promise<Record<string, unknown>>;
}

@Injectable()
export class PersonalDataRegistry {
  private readonly ports = new Map<Service, PersonalDataPort>();

  register(service: Service, port: PersonalDataPort): void {
    if (this.ports.has(service)) throw new Error(`personal data of ${service} cases is already registered`);
    this.ports.set(service, port);
  }

  for(service: Service): PersonalDataPort | undefined {
    return this.ports.get(service);
  }
}
