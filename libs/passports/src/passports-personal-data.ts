import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersonalDataPort } from '@app/cases';
import { InformationRequests } from '@app/review';
import { PassportService } from './passports.service.js';

/**
 * A passport application's personal data for the retention job and subject access exports: names,
 * sex, date and place of birth, identifiers and their blind indexes, the photo, the dispatch
 * tracking and the texts of requests for information and answers. What stays (kind, age band,
 * fee, dates) says nothing about the person; the passport number's blind index stays so that no
 * number is ever given twice. A passport case without its application row has nothing to erase or export.
 */
@Injectable()
export class PassportPersonalData implements PersonalDataPort {
  constructor(
    private readonly passports: PassportService,
    private readonly informationRequests: InformationRequests,
  ) {}

  async erase(manager: EntityManager, caseId: string): Promise<void> {
    // The photo's file row goes with the case's files, right after this.
    await manager.query(
      `UPDATE passport_application SET surname = NULL, given_names = NULL, chinese_name = NULL, sex = NULL, date_of_birth = NULL,
              place_of_birth = NULL, national_id = NULL, national_id_index = NULL, previous_passport_number = NULL,
              previous_passport_index = NULL, police_report_reference = NULL, photo_file_id = NULL, passport_number = NULL,
              dispatch_tracking = NULL
        WHERE case_id = $1`,
      [caseId],
    );
    await this.informationRequests.erase(manager, caseId);
  }

  async export(manager: EntityManager, caseId: string): Promise<Record<string, unknown>> {
    const view = await this.passports.view(caseId, manager);
    return view ? { application: view } : {};
  }
}
