import type { EntityManager } from 'typeorm';

export interface OfficerContact {
  id: string;
  displayName: string;
  email: string;
}

/** Who works where: the identity library answers this. */
export abstract class OfficerDirectory {
  /** Active supervisors who oversee the post: its own supervisors and HQ supervisors. */
  abstract supervisorsOf(manager: EntityManager, postCode: string): Promise<OfficerContact[]>;
  /** An active officer who may work the post's cases, or null. */
  abstract findAssignable(manager: EntityManager, officerId: string, postCode: string): Promise<OfficerContact | null>;
}

export interface ReviewAuditEntry {
  action: string;
  officerId: string;
  caseId?: string;
  details?: Record<string, unknown>;
}

/** The tamper-evident audit trail, written in the same transaction as the change. */
export abstract class ReviewAudit {
  abstract record(manager: EntityManager, entry: ReviewAuditEntry): Promise<void>;
}
