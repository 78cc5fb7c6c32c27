import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersonalDataPort } from '@app/cases';
import { EmergencyContact } from './entities/emergency-contact.entity.js';
import { EmergencyCase } from './entities/emergency-case.entity.js';
import { EmergencyCipher } from './emergency-cipher.js';

/**
 * The emergency's personal data for the retention job and subject access exports: the report's
 * description and the person's name, the resolution note and the contact log's notes. Category,
 * place, priority and times stay for statistics.
 */
@Injectable()
export class EmergencyPersonalData implements PersonalDataPort {
  constructor(private readonly cipher: EmergencyCipher) {}

  async erase(manager: EntityManager, caseId: string): Promise<void> {
    await manager.update(EmergencyCase, { caseId }, { description: null, personName: null, resolutionNote: null });
    await manager.update(EmergencyContact, { caseId }, { note: null });
  }

  async export(manager: EntityManager, caseId: string): Promise<Record<string, unknown>> {
    const emergency = await manager.findOneBy(EmergencyCase, { caseId });
    const contacts = await manager.find(EmergencyContact, { where: { caseId }, order: { createdAt: 'ASC' } });
    const open = this.cipher.open.bind(this.cipher);
    return {
      report: emergency && {
        category: emergency.category,
        country: emergency.country,
        city: emergency.city,
        description: open('emergency_case', 'description', caseId, emergency.description),
        personName: open('emergency_case', 'person_name', caseId, emergency.personName),
        relationship: emergency.relationship,
        familyUpdatesConsent: emergency.familyUpdatesConsent,
        triagePriority: emergency.triagePriority,
        reportedAt: emergency.createdAt,
        firstContactedAt: emergency.firstContactedAt,
        resolutionNote: open('emergency_case', 'resolution_note', caseId, emergency.resolutionNote),
      },
      contacts: contacts.map((c) => ({
        channel: c.channel,
        note: open('emergency_contact_log', 'note', c.id, c.note),
        sharedWithReporter: c.sharedWithReporter,
        at: c.createdAt,
      })),
    };
  }
}
