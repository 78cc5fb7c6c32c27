import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersonalDataPort } from '@app/cases';
import { AbtcService } from './abtc.service.js';

/**
 * The ABTC's personal data for the retention job and subject access exports: the encrypted identity,
 * passport and business columns, the passport number's blind index and the economies' notes. What
 * stays (sex, nationality, passport expiry, card number and validity, each economy's result) is kept
 * for the card's record and statistics.
 */
@Injectable()
export class AbtcPersonalData implements PersonalDataPort {
  constructor(private readonly applications: AbtcService) {}

  async erase(manager: EntityManager, caseId: string): Promise<void> {
    await manager.query(
      `UPDATE abtc_application SET given_names = NULL, surname = NULL, date_of_birth = NULL, passport_number = NULL,
              passport_number_index = NULL, company_name = NULL, job_title = NULL, business_reason = NULL
        WHERE case_id = $1`,
      [caseId],
    );
    await manager.query(`UPDATE abtc_clearance SET note = NULL WHERE case_id = $1`, [caseId]);
  }

  async export(manager: EntityManager, caseId: string): Promise<Record<string, unknown>> {
    const view = await this.applications.view(caseId, manager);
    return {
      application: view && {
        ...view,
        clearances: view.clearances.map((c) => ({ economy: c.economy.code, status: c.status, decidedAt: c.decidedAt, note: c.note })),
      },
    };
  }
}
