import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobName, OnJob, QUEUE_STATUSES } from '@app/cases';
import { Clock } from '@app/platform';
import { OfficerService } from '@app/identity';

/**
 * Runs every minute (a repeatable job): every case in the queue past its SLA due time is escalated
 * once — the post's supervisors get an in-app alert. The (case, due time) key makes a second run,
 * or a second worker, a no-op; a case whose due time is moved and then missed again escalates again.
 */
@Injectable()
export class EscalationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly officers: OfficerService,
  ) {}

  @OnJob(JobName.EscalateOverdueCases)
  async escalateOverdue(): Promise<{ escalated: number }> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const fresh = (await manager.query(
        `INSERT INTO sla_escalation (case_id, due_at, escalated_at)
         SELECT id, sla_due_at, $2 FROM "case" WHERE status = ANY($1) AND sla_due_at < $2
         ON CONFLICT DO NOTHING
         RETURNING case_id`,
        [QUEUE_STATUSES, now],
      )) as { case_id: string }[];
      for (const { case_id: caseId } of fresh) {
        const [current] = (await manager.query(`SELECT reference, post_code, sla_due_at FROM "case" WHERE id = $1`, [caseId])) as {
          reference: string;
          post_code: string;
          sla_due_at: Date;
        }[];
        for (const supervisor of await this.officers.supervisorsOf(manager, current!.post_code)) {
          await manager.query(`INSERT INTO officer_alert (officer_id, kind, case_id, params) VALUES ($1, 'sla.breached', $2, $3)`, [
            supervisor.id,
            caseId,
            JSON.stringify({ reference: current!.reference, postCode: current!.post_code, dueAt: current!.sla_due_at }),
          ]);
        }
      }
      return { escalated: fresh.length };
    });
  }
}
