import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthenticatedOfficer } from '@app/platform';

export interface OfficerAlert {
  id: string;
  kind: string;
  caseId: string | null;
  params: Record<string, unknown>;
  createdAt: Date;
}

/** In-app alerts: a case taken away by a supervisor, an SLA breach at the officer's post. */
@Injectable()
export class AlertsService {
  constructor(private readonly dataSource: DataSource) {}

  async unread(officer: AuthenticatedOfficer): Promise<OfficerAlert[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, kind, case_id, params, created_at FROM officer_alert WHERE officer_id = $1 AND read_at IS NULL ORDER BY created_at DESC LIMIT 50`,
      [officer.id],
    )) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as string,
      kind: r.kind as string,
      caseId: (r.case_id as string | null) ?? null,
      params: r.params as Record<string, unknown>,
      createdAt: r.created_at as Date,
    }));
  }

  async markRead(officer: AuthenticatedOfficer, alertId: string): Promise<void> {
    await this.dataSource.query(`UPDATE officer_alert SET read_at = now() WHERE id = $1 AND officer_id = $2`, [alertId, officer.id]);
  }
}
