import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseErrors, type CaseRecord, CaseSpine, ServiceCatalogue } from '@app/cases';
import {
  type AuthenticatedOfficer,
  Clock,
  DomainException,
  FieldCipher,
  postScopeOf,
  type PostScope,
  ValidationException,
} from '@app/platform';
import { AuditLog, officerActor } from '@app/audit';
import { findCaseInScope, postScopeSql } from '@app/identity';

export interface SubjectAccessQuery {
  reference?: string;
  email?: string;
}

export interface ExportedCase {
  reference: string;
  service: string;
  status: string;
  postCode: string;
  locale: string;
  createdAt: Date;
  submittedAt: Date | null;
  decidedAt: Date | null;
  anonymisedAt: Date | null;
  contact: { name: string | null; email: string | null; phone: string | null };
  /** What the service holds (the eVisa's answers, its requests for information…), from its PersonalDataPort. */
  answers: Record<string, unknown>;
  /** The case's history as the applicant sees it, with what an officer asked of them. */
  events: {
    seq: number;
    type: string;
    fromStatus: string | null;
    toStatus: string | null;
    at: Date;
    reasonCode?: string;
    message?: string;
    deadline?: string;
  }[];
  files: { id: string; kind: string; mimeType: string; sizeBytes: number; sha256: string; createdAt: Date }[];
}

export interface SubjectAccessExport {
  exportId: string;
  generatedAt: Date;
  generatedBy: { officerId: string; username: string };
  searchedBy: ('reference' | 'email')[];
  cases: ExportedCase[];
}

/**
 * Subject access: everything held about one person, across their cases, as one JSON document. The
 * person is found by a case reference (then also every case with the same applicant email) and/or
 * an email address, through the blind index; only cases in the officer's post scope are searched.
 * Each export is audited as `export.created`, once per exported case.
 */
@Injectable()
export class SubjectAccessService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly catalogue: ServiceCatalogue,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly cipher: FieldCipher,
  ) {}

  async export(officer: AuthenticatedOfficer, query: SubjectAccessQuery, ip: string | null): Promise<SubjectAccessExport> {
    const reference = query.reference?.trim();
    const email = query.email?.trim();
    if (!reference && !email) {
      throw new ValidationException([{ field: 'reference', messages: ['Give a case reference, an email address, or both.'] }]);
    }
    const scope = postScopeOf(officer);
    const exportId = randomUUID();
    return this.dataSource.transaction(async (manager) => {
      const cases = await this.casesOf(manager, scope, reference, email);
      const exported: ExportedCase[] = [];
      for (const record of cases) exported.push(await this.exportCase(manager, record));
      const searchedBy = [...(reference ? (['reference'] as const) : []), ...(email ? (['email'] as const) : [])];
      const targets = cases.length ? cases : [null];
      for (const record of targets) {
        await this.audit.record(manager, {
          action: 'export.created',
          actor: officerActor(officer),
          target: record ? { type: 'case', id: record.id } : null,
          postCode: record?.postCode ?? null,
          ip,
          details: { exportId, kind: 'subject_access', searchedBy, cases: cases.length },
        });
      }
      return {
        exportId,
        generatedAt: this.clock.now(),
        generatedBy: { officerId: officer.id, username: officer.username },
        searchedBy,
        cases: exported,
      };
    });
  }

  /** The named case (404 when unknown or out of scope) and every case in scope sharing an email with it or the given address. */
  private async casesOf(manager: EntityManager, scope: PostScope, reference?: string, email?: string): Promise<CaseRecord[]> {
    const ids = new Set<string>();
    const emailIndexes = new Set<string>();
    if (reference) {
      const parsed = this.catalogue.parseReference(reference);
      const params: unknown[] = [parsed?.reference ?? null];
      const [named] = parsed
        ? ((await manager.query(`SELECT id FROM "case" WHERE reference = $1 AND ${postScopeSql(scope, 'post_code', params)}`, params)) as {
            id: string;
          }[])
        : [];
      if (!named) throw new DomainException(CaseErrors.CASE_NOT_FOUND, 'No such case.');
      ids.add(named.id);
      const [row] = (await manager.query(`SELECT applicant_email_index FROM "case" WHERE id = $1`, [named.id])) as {
        applicant_email_index: string | null;
      }[];
      if (row?.applicant_email_index) emailIndexes.add(row.applicant_email_index);
    }
    if (email) emailIndexes.add(this.spine.emailIndex(email));
    if (emailIndexes.size) {
      const params: unknown[] = [[...emailIndexes]];
      const sameEmail = (await manager.query(
        `SELECT id FROM "case" WHERE applicant_email_index = ANY($1) AND ${postScopeSql(scope, 'post_code', params)}`,
        params,
      )) as { id: string }[];
      for (const { id } of sameEmail) ids.add(id);
    }
    const found: CaseRecord[] = [];
    for (const id of ids) found.push(await findCaseInScope(manager, id, scope));
    return found.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.reference.localeCompare(b.reference));
  }

  private async exportCase(manager: EntityManager, record: CaseRecord): Promise<ExportedCase> {
    const events = (await manager.query(
      `SELECT seq, type, from_status, to_status, payload, created_at FROM case_event WHERE case_id = $1 AND visibility = 'applicant' ORDER BY seq`,
      [record.id],
    )) as {
      seq: number;
      type: string;
      from_status: string | null;
      to_status: string | null;
      payload: Record<string, unknown>;
      created_at: Date;
    }[];
    const files = (await manager.query(
      `SELECT id, kind, mime_type, size_bytes, sha256, created_at FROM file WHERE case_id = $1 ORDER BY created_at, id`,
      [record.id],
    )) as { id: string; kind: string; mime_type: string; size_bytes: number; sha256: string; created_at: Date }[];
    return {
      reference: record.reference,
      service: record.service,
      status: record.status,
      postCode: record.postCode,
      locale: record.locale,
      createdAt: record.createdAt,
      submittedAt: record.submittedAt,
      decidedAt: record.decidedAt,
      anonymisedAt: record.anonymisedAt,
      contact: this.spine.decryptApplicant(record),
      answers: await this.catalogue.personalData(record.service).export(manager, record.id),
      events: events.map((e) => ({
        seq: e.seq,
        type: e.type,
        fromStatus: e.from_status,
        toStatus: e.to_status,
        at: e.created_at,
        ...(typeof e.payload.reasonCode === 'string' && { reasonCode: e.payload.reasonCode }),
        // A request for information keeps its message in the event, sealed to the case.
        ...(typeof e.payload.message === 'string' && {
          message: this.cipher.decrypt(e.payload.message, `case_event.message:${record.id}`),
        }),
        ...(typeof e.payload.deadline === 'string' && { deadline: e.payload.deadline }),
      })),
      files: files.map((f) => ({
        id: f.id,
        kind: f.kind,
        mimeType: f.mime_type,
        sizeBytes: f.size_bytes,
        sha256: f.sha256,
        createdAt: f.created_at,
      })),
    };
  }
}
