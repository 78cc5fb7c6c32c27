import { randomUUID } from 'node:crypto';
import type { AuthenticatedOfficer, Role } from '@app/platform';

/** An officer identity as the guard would put it on a request, for service-level tests. */
export function officerAt(postCode: string, roles: Role[] = ['officer'], seesAllPosts = false): AuthenticatedOfficer {
  const id = randomUUID();
  return { id, username: `o-${id.slice(0, 8)}`, displayName: `Officer ${id.slice(0, 4)}`, roles, postCode, seesAllPosts };
}
