import { Injectable } from '@nestjs/common';
import type { ReviewPort, WorkspaceExtras } from '@app/cases';
import type { Translate } from '@app/platform';
import { EmergencyService } from './emergency.service.js';

/**
 * Plugs emergency cases into the officers' case workspace: the report's details (the workspace
 * opening is already audited) and a link to the emergency page where officers triage and act.
 */
@Injectable()
export class EmergencyReviewIntegration implements ReviewPort {
  /** Officers act on the emergency page, not through the queue's decisions. */
  readonly decisions = {};

  constructor(private readonly emergencies: EmergencyService) {}

  async workspace(caseId: string, _status: string, t: Translate): Promise<WorkspaceExtras> {
    const found = await this.emergencies.details(caseId);
    if (!found) return { details: [], links: [] };
    const { emergency, contacts } = found;
    return {
      details: [
        { labelKey: 'emergency.field.category', value: t(`emergency.category.${emergency.category}`) },
        { labelKey: 'emergency.field.where', value: `${emergency.city}, ${emergency.country}` },
        { labelKey: 'emergency.field.personName', value: emergency.personName ?? '—' },
        { labelKey: 'emergency.field.relationship', value: t(`emergency.relationship.${emergency.relationship}`) },
        { labelKey: 'emergency.field.description', value: emergency.description ?? '—' },
        { labelKey: 'emergency.officer.triagePriority', value: emergency.triagePriority ? `P${emergency.triagePriority}` : '—' },
        { labelKey: 'emergency.officer.firstContactDue', value: emergency.firstContactDueAt.toISOString() },
        { labelKey: 'emergency.officer.contacts', value: String(contacts.length) },
      ],
      links: [{ href: `/officer/emergency/${caseId}`, labelKey: 'emergency.officer.workLink' }],
    };
  }
}
