import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** Whether an applicant gets non-essential progress updates on a case. Essential messages always go. */
@Injectable()
export class NotificationPreferences {
  constructor(private readonly dataSource: DataSource) {}

  async progressUpdates(caseId: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows = (await manager.query(`SELECT progress_updates FROM notification_preference WHERE case_id = $1`, [caseId])) as {
      progress_updates: boolean;
    }[];
    return rows[0]?.progress_updates ?? true;
  }

  async setProgressUpdates(caseId: string, wanted: boolean, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `INSERT INTO notification_preference (case_id, progress_updates, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (case_id) DO UPDATE SET progress_updates = EXCLUDED.progress_updates, updated_at = now()`,
      [caseId, wanted],
    );
  }
}
