import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/platform';
import { CaseSpine, OnJob, type PayloadOf } from '@app/cases';
import { ApplicationCipher, columnOf } from '../application-cipher.js';
import { EvisaApplicationService } from '../application.service.js';
import { EvisaApplication } from '../entities/evisa-application.entity.js';
import { DraftLinkMailer } from './draft-link.mailer.js';
import { EVISA_JOBS } from '../evisa.jobs.js';

/**
 * Emails a draft's resume link. The outbox payload carries only the case id: the address is read
 * (and decrypted) here and the link is signed here. A purged or submitted draft is skipped, so a
 * late or repeated delivery does no harm.
 */
@Injectable()
export class DraftResumeLinkHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly appCipher: ApplicationCipher,
    private readonly applications: EvisaApplicationService,
    private readonly mailer: DraftLinkMailer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnJob(EVISA_JOBS.SendDraftResumeLink)
  async handle(payload: PayloadOf<typeof EVISA_JOBS.SendDraftResumeLink>): Promise<{ sent: boolean }> {
    const record = await this.dataSource.manager.findOneBy(EvisaApplication, { caseId: payload.caseId });
    const caseRecord = record ? await this.spine.load(this.dataSource.manager, payload.caseId) : null;
    if (!record || !caseRecord || caseRecord.status !== 'DRAFT' || !record.email) return { sent: false };
    const expiresAt = this.applications.draftExpiry(caseRecord);
    if (expiresAt <= new Date()) return { sent: false };
    const to = this.appCipher.open(record.caseId, columnOf('email'), record.email)!;
    const link = `${this.config.publicBaseUrl}/evisa/resume?t=${this.applications.draftToken(record.caseId, expiresAt)}`;
    await this.mailer.sendResumeLink({ caseId: record.caseId, to, locale: caseRecord.locale, link, expiresAt });
    await this.dataSource.transaction((manager) =>
      this.spine.recordEvent(manager, {
        caseId: record.caseId,
        actor: { type: 'system' },
        type: 'evisa.resume_link_sent',
        visibility: 'internal',
      }),
    );
    return { sent: true };
  }
}
