import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Translate } from '@app/platform';
import { WorkspaceDetails, type WorkspaceExtras } from '@app/review';
import { EmergencyService } from './emergency.service.js';

/**
 * Plugs emergency cases into the officers' case workspace: the report's details (the workspace
 * opening is already audited) and a link to the emergency page where officers triage and act.
 */
@Injectable()
export class EmergencyReviewIntegration implements OnModuleInit {
  constructor(
    private readonly workspace: WorkspaceDetails,
    private readonly emergencies: EmergencyService,
  ) {}

  onModuleInit(): void {
    this.workspace.register('emergency', (caseId, _status, t) => this.extras(caseId, t));
  }

  private async extras(caseId: string, t: Translate): Promise<WorkspaceExtras> {
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
