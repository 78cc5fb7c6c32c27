import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type CaseDetailsSection, CaseRecord, ServiceCatalogue } from '@app/cases';
import { describeEvent, describeStatus, NotificationPreferences } from '@app/notifications';
import { DomainException, type Locale, Messages } from '@app/platform';
import { CaseAccess } from './case-access.js';
import { StatusErrors } from './errors.js';
import { type HolderShareCode, ShareCodeQueries } from './share-code.queries.js';
import { documentsValid } from './shareable-document.js';

export interface TimelineEntry {
  at: Date;
  label: string;
  status: string | null;
}

export interface DocumentEntry {
  id: string;
  kind: string;
  title: string;
  locale: string;
  createdAt: Date;
  sizeBytes: number;
  /** A signed link (30 minutes) that downloads the file. */
  downloadUrl: string;
}

/** Everything the applicant may see about one case; the same for a look-up, an emailed link and "my cases". */
export interface CaseView {
  caseId: string;
  reference: string;
  service: string;
  serviceName: string;
  status: string;
  statusLabel: string;
  nextSteps: string;
  timeZone: string;
  openedAt: Date;
  updatedAt: Date;
  timeline: TimelineEntry[];
  documents: DocumentEntry[];
  details: CaseDetailsSection[];
  updates: { byEmail: boolean; progressUpdates: boolean };
  sharing: { allowed: boolean; codes: HolderShareCode[] };
  /** Proof of access for the actions on this page (updates, share codes), sent back in POST bodies. */
  accessToken: string;
}

@Injectable()
export class CaseViewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: Messages,
    private readonly access: CaseAccess,
    private readonly catalogue: ServiceCatalogue,
    private readonly preferences: NotificationPreferences,
    private readonly shareCodes: ShareCodeQueries,
  ) {}

  async build(caseId: string, locale: Locale): Promise<CaseView> {
    const t = this.messages.translator(locale);
    const manager = this.dataSource.manager;
    const caseRecord = await manager.findOneBy(CaseRecord, { id: caseId });
    if (!caseRecord) throw new DomainException(StatusErrors.STATUS_NOT_FOUND, t('statusCheck.notFound'));
    const status = describeStatus(t, caseRecord.service, caseRecord.status);
    const [post] = (await manager.query(`SELECT time_zone FROM post WHERE code = $1`, [caseRecord.postCode])) as { time_zone: string }[];
    const events = (await manager.query(
      `SELECT seq, type, to_status AS "toStatus", created_at AS "createdAt" FROM case_event
        WHERE case_id = $1 AND visibility = 'applicant' ORDER BY seq DESC`,
      [caseId],
    )) as { seq: number; type: string; toStatus: string | null; createdAt: Date }[];
    const documents = (await manager.query(
      `SELECT g.id, g.kind, g.locale, g.created_at AS "createdAt", f.size_bytes AS "sizeBytes"
         FROM generated_document g JOIN file f ON f.id = g.file_id
        WHERE g.case_id = $1 ORDER BY g.created_at, g.kind, g.locale`,
      [caseId],
    )) as { id: string; kind: string; locale: string; createdAt: Date; sizeBytes: number }[];
    return {
      caseId,
      reference: caseRecord.reference,
      service: caseRecord.service,
      serviceName: t(`service.${caseRecord.service}.name`),
      status: caseRecord.status,
      statusLabel: status.label,
      nextSteps: status.next,
      timeZone: post?.time_zone ?? 'UTC',
      openedAt: caseRecord.createdAt,
      updatedAt: caseRecord.updatedAt,
      timeline: events.map((event) => ({
        at: event.createdAt,
        label: describeEvent(t, caseRecord.service, event),
        status: event.toStatus,
      })),
      documents: documents.map((document) => ({
        ...document,
        title: t(`statusCheck.document.${document.kind}`),
        downloadUrl: this.access.documentUrl(document.id),
      })),
      details: (await this.catalogue.statusDetails(caseRecord.service)?.details({ manager, caseRecord, locale, t })) ?? [],
      updates: { byEmail: caseRecord.applicantEmail !== null, progressUpdates: await this.preferences.progressUpdates(caseId) },
      sharing: {
        allowed: documentsValid(this.catalogue.get(caseRecord.service), caseRecord.status) && documents.length > 0,
        codes: await this.shareCodes.forCase(caseId),
      },
      accessToken: this.access.grant(caseId),
    };
  }
}
