import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersonalDataPort } from '@app/cases';
import { InformationRequests } from '@app/review';
import { LegalisationService } from './legalisation.service.js';

/**
 * Document authentication's personal data for the retention job and subject access exports: the
 * mailing address, the items' descriptions and the texts of requests for information and answers.
 * What stays (document types, counts, fee, appointment, certificate number) says nothing about the person.
 */
@Injectable()
export class LegalisationPersonalData implements PersonalDataPort {
  constructor(
    private readonly requests: LegalisationService,
    private readonly informationRequests: InformationRequests,
  ) {}

  async erase(manager: EntityManager, caseId: string): Promise<void> {
    await manager.query(`UPDATE legalisation_request SET mailing_address = NULL WHERE case_id = $1`, [caseId]);
    await manager.query(`UPDATE legalisation_item SET description = NULL, issuing_country = NULL WHERE case_id = $1`, [caseId]);
    await this.informationRequests.erase(manager, caseId);
  }

  async export(manager: EntityManager, caseId: string): Promise<Record<string, unknown>> {
    const view = await this.requests.view(caseId, manager);
    return { request: view };
  }
}
