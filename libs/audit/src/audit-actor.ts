import type { AuthenticatedOfficer } from '@app/platform';
import type { AuditActor } from './audit-log.service.js';

export function officerActor(officer: Pick<AuthenticatedOfficer, 'id' | 'username'>): AuditActor {
  return { type: 'officer', id: officer.id, username: officer.username };
}
