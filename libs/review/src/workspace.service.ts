import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CaseRecord, CaseSpine, type DecisionAction, ServiceCatalogue, type WorkspaceDetail, type WorkspaceLink } from '@app/cases';
import { type AuthenticatedOfficer, Clock, DomainException, FieldCipher, FileRecord, FileService, type Translate } from '@app/platform';
import { type DeliveryView, NotificationQueries } from '@app/notifications';
import { allowedActions, DecisionService } from './decision.service.js';
import { AuditLog, officerActor } from '@app/audit';

export interface TimelineEntry {
  seq: number;
  type: string;
  fromStatus: string | null;
  toStatus: string | null;
  actorType: string;
  actorId: string | null;
  visibility: 'internal' | 'applicant';
  at: Date;
  reasonCode?: string;
  text?: string;
  deadline?: string;
}

export interface WorkspaceFile {
  id: string;
  kind: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
}

export interface Workspace {
  case: Pick<CaseRecord, 'id' | 'reference' | 'service' | 'status' | 'postCode' | 'priority' | 'slaDueAt' | 'version' | 'locale'> & {
    assignedOfficerId: string | null;
    claimExpiresAt: Date | null;
  };
  applicant: { name: string | null; email: string | null; phone: string | null };
  /** Service-specific answers; `labelKey` is a message key. */
  details: WorkspaceDetail[];
  links: WorkspaceLink[];
  timeline: TimelineEntry[];
  files: WorkspaceFile[];
  /** Every message sent to the applicant about this case, recipients masked; failures included. */
  deliveries: DeliveryView[];
  holdsClaim: boolean;
  overdue: boolean;
  actions: DecisionAction[];
}

const SAFE_INLINE_TYPES = new Set(['image/jpeg', 'image/png', 'application/pdf']);

/**
 * The officer's view of one case. Opening it decrypts personal data, so every opening is audited.
 */
@Injectable()
export class WorkspaceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly decisions: DecisionService,
    private readonly cipher: FieldCipher,
    private readonly files: FileService,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly catalogue: ServiceCatalogue,
    private readonly notifications: NotificationQueries,
  ) {}

  async open(officer: AuthenticatedOfficer, caseId: string, t: Translate): Promise<Workspace> {
    const now = this.clock.now();
    const current = await this.dataSource.transaction(async (manager) => {
      const found = await this.decisions.loadInScope(manager, officer, caseId);
      await this.audit.record(manager, {
        action: 'case.personal_data_viewed',
        actor: officerActor(officer),
        target: { type: 'case', id: caseId },
        postCode: found.postCode,
      });
      return found;
    });
    const events = (await this.dataSource.query(
      `SELECT seq, type, from_status, to_status, actor_type, actor_id, visibility, payload, created_at
         FROM case_event WHERE case_id = $1 ORDER BY seq`,
      [caseId],
    )) as Record<string, unknown>[];
    const files = (await this.dataSource.query(
      `SELECT id, kind, mime_type, size_bytes, sha256 FROM file WHERE case_id = $1 ORDER BY created_at`,
      [caseId],
    )) as Record<string, unknown>[];
    const holdsClaim = current.assignedOfficerId === officer.id && !!current.claimExpiresAt && current.claimExpiresAt > now;
    const extras = (await this.catalogue.review(current.service)?.workspace(caseId, current.status, t)) ?? { details: [], links: [] };
    return {
      case: {
        id: current.id,
        reference: current.reference,
        service: current.service,
        status: current.status,
        postCode: current.postCode,
        priority: current.priority,
        slaDueAt: current.slaDueAt,
        version: current.version,
        locale: current.locale,
        assignedOfficerId: current.assignedOfficerId,
        claimExpiresAt: current.claimExpiresAt,
      },
      applicant: this.spine.decryptApplicant(current),
      details: extras.details,
      links: extras.links,
      timeline: events.map((e) => this.timelineEntry(caseId, e)),
      files: files.map((f) => ({
        id: f.id as string,
        kind: f.kind as string,
        mimeType: f.mime_type as string,
        sizeBytes: f.size_bytes as number,
        sha256: f.sha256 as string,
      })),
      deliveries: await this.notifications.notificationsForCase(caseId),
      holdsClaim,
      overdue: !!current.slaDueAt && current.slaDueAt < now,
      actions: holdsClaim ? allowedActions(this.catalogue.machine(current.service), current.status) : [],
    };
  }

  /** An uploaded file of a case in the officer's scope: only images and PDFs, never anything a browser would run. */
  async file(officer: AuthenticatedOfficer, caseId: string, fileId: string): Promise<{ bytes: Buffer; mimeType: string }> {
    const record = await this.dataSource.transaction(async (manager) => {
      await this.decisions.loadInScope(manager, officer, caseId);
      const found = /^[0-9a-f-]{36}$/i.test(fileId) ? await manager.findOneBy(FileRecord, { id: fileId, caseId }) : null;
      if (!found || !SAFE_INLINE_TYPES.has(found.mimeType)) throw new DomainException('FILE_NOT_FOUND', 'No such file.');
      await this.audit.record(manager, {
        action: 'case.file_viewed',
        actor: officerActor(officer),
        target: { type: 'case', id: caseId },
        details: { fileId },
      });
      return found;
    });
    return { bytes: await this.files.read(record), mimeType: record.mimeType };
  }

  private timelineEntry(caseId: string, row: Record<string, unknown>): TimelineEntry {
    const payload = (row.payload ?? {}) as Record<string, unknown>;
    const entry: TimelineEntry = {
      seq: row.seq as number,
      type: row.type as string,
      fromStatus: (row.from_status as string | null) ?? null,
      toStatus: (row.to_status as string | null) ?? null,
      actorType: row.actor_type as string,
      actorId: (row.actor_id as string | null) ?? null,
      visibility: row.visibility as 'internal' | 'applicant',
      at: row.created_at as Date,
    };
    if (typeof payload.reasonCode === 'string') entry.reasonCode = payload.reasonCode;
    if (typeof payload.deadline === 'string') entry.deadline = payload.deadline;
    const sealed = (payload.text ?? payload.note ?? payload.message) as unknown;
    if (typeof sealed === 'string') {
      const column = payload.message ? 'message' : 'note';
      entry.text = this.cipher.decrypt(sealed, `case_event.${column}:${caseId}`);
    }
    return entry;
  }
}
