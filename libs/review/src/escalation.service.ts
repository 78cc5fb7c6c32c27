import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CORE_JOBS, OnJob, OutboxWriter, type PayloadOf, ServiceCatalogue } from '@app/cases';
import { OfficerService } from '@app/identity';
import { EmailSender, mailDomainOf } from '@app/notifications';
import { APP_CONFIG, type AppConfig, Clock, Messages } from '@app/platform';

/**
 * Runs every minute (a repeatable job): every case in the queue past its SLA due time is escalated
 * once — the post's supervisors get an in-app alert, and an email through the outbox. The
 * (case, due time) key makes a second run, or a second worker, a no-op; a case whose due time is
 * moved and then missed again escalates again.
 */
@Injectable()
export class EscalationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly officers: OfficerService,
    private readonly outbox: OutboxWriter,
    private readonly email: EmailSender,
    private readonly messages: Messages,
    private readonly catalogue: ServiceCatalogue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnJob(CORE_JOBS.EscalateOverdueCases)
  async escalateOverdue(): Promise<{ escalated: number }> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const fresh = (await manager.query(
        `INSERT INTO sla_escalation (case_id, due_at, escalated_at)
         SELECT id, sla_due_at, $2 FROM "case" WHERE status = ANY($1) AND sla_due_at < $2
         ON CONFLICT DO NOTHING
         RETURNING case_id, due_at`,
        [this.catalogue.queueStatuses(), now],
      )) as { case_id: string; due_at: Date }[];
      for (const { case_id: caseId, due_at: dueAt } of fresh) {
        const [current] = (await manager.query(`SELECT reference, post_code FROM "case" WHERE id = $1`, [caseId])) as {
          reference: string;
          post_code: string;
        }[];
        for (const supervisor of await this.officers.supervisorsOf(manager, current!.post_code)) {
          await manager.query(`INSERT INTO officer_alert (officer_id, kind, case_id, params) VALUES ($1, 'sla.breached', $2, $3)`, [
            supervisor.id,
            caseId,
            JSON.stringify({ reference: current!.reference, postCode: current!.post_code, dueAt }),
          ]);
        }
        await this.outbox.add(manager, CORE_JOBS.EmailSlaBreach, { caseId, dueAt: dueAt.toISOString() }, { caseId });
      }
      return { escalated: fresh.length };
    });
  }

  /**
   * Emails each supervisor of the post who has an address, in both languages (officers choose no
   * language). The Message-ID is fixed per case, due time and supervisor, so a retried job's
   * duplicate is recognisable by the mail system.
   */
  @OnJob(CORE_JOBS.EmailSlaBreach)
  async emailSupervisors(payload: PayloadOf<typeof CORE_JOBS.EmailSlaBreach>): Promise<{ emailed: number }> {
    const [current] = (await this.dataSource.query(`SELECT reference, post_code FROM "case" WHERE id = $1`, [payload.caseId])) as {
      reference: string;
      post_code: string;
    }[];
    if (!current) return { emailed: 0 };
    const supervisors = (await this.officers.supervisorsOf(this.dataSource.manager, current.post_code)).filter((s) => s.email);
    const link = `${this.config.publicBaseUrl}/officer/cases/${payload.caseId}`;
    const params = { reference: current.reference, post: current.post_code };
    const en = this.messages.translator('en');
    const zh = this.messages.translator('zh-Hant');
    for (const supervisor of supervisors) {
      await this.email.send({
        to: supervisor.email!,
        subject: `${en('review.mail.breach.subject', params)} / ${zh('review.mail.breach.subject', params)}`,
        text: `${en('review.mail.breach.body', params)}\n${link}\n\n${zh('review.mail.breach.body', params)}\n${link}\n`,
        html: `<p>${en('review.mail.breach.body', params)}</p><p lang="zh-Hant">${zh('review.mail.breach.body', params)}</p><p><a href="${link}">${link}</a></p>`,
        messageId: `sla-${payload.caseId}-${new Date(payload.dueAt).getTime()}-${supervisor.id}@${mailDomainOf(this.config.mail.from)}`,
      });
    }
    return { emailed: supervisors.length };
  }
}
