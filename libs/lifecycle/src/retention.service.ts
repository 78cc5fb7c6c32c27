import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CaseSpine, CORE_JOBS, OnJob, ServiceCatalogue, isTerminal, terminalStatuses } from '@app/cases';
import { APP_CONFIG, type AppConfig, Clock, FileService } from '@app/platform';
import { AuditLog } from '@app/audit';

const DAY_MS = 24 * 3600 * 1000;
/** Cases anonymised per run at most; the job runs hourly, so a backlog drains over a few runs. */
export const ANONYMISE_BATCH_SIZE = 500;
const RETENTION_ACTOR = { type: 'system', id: 'retention' } as const;

/** Every final status of every service in the catalogue, as `service:status`: what "closed" means. */
export function closedStatuses(catalogue: ServiceCatalogue): string[] {
  return catalogue.all().flatMap(({ machine }) => terminalStatuses(machine).map((status) => `${machine.service}:${status}`));
}

export interface AnonymisationRun {
  /** Cases whose updated_at is before this moment were due. */
  cutoff: Date;
  anonymised: number;
  failed: number;
}

/**
 * Personal data in closed cases is kept for RETENTION_CLOSED_CASE_DAYS after the case last changed,
 * then anonymised: the applicant's contact columns and status-check key are cleared, every file of
 * the case (uploads and generated documents, rows and stored bytes) is deleted, and each service
 * clears its own answers through its PersonalDataPort. The case, its statuses, its event chain and
 * the audit log stay; a `case.anonymised` event (internal) and an audit entry say when and why.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly files: FileService,
    private readonly catalogue: ServiceCatalogue,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnJob(CORE_JOBS.AnonymiseClosedCases)
  async anonymiseClosedCases(): Promise<AnonymisationRun> {
    return this.run();
  }

  /**
   * One pass over at most `batchSize` due cases, oldest first. Each case is anonymised in its own
   * transaction, so one failure (logged, retried on the next run) holds up no other. Running it
   * twice, or on two workers at once, anonymises each case once.
   */
  async run(batchSize = ANONYMISE_BATCH_SIZE): Promise<AnonymisationRun> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - this.config.retention.closedCaseDays * DAY_MS);
    const due = (await this.dataSource.query(
      `SELECT id FROM "case"
        WHERE anonymised_at IS NULL AND updated_at < $1 AND service || ':' || status = ANY($2)
        ORDER BY updated_at, id LIMIT $3`,
      [cutoff, closedStatuses(this.catalogue), batchSize],
    )) as { id: string }[];
    let anonymised = 0;
    let failed = 0;
    for (const { id } of due) {
      try {
        if (await this.anonymise(id, cutoff, now)) anonymised++;
      } catch (error) {
        failed++;
        this.logger.warn(`case ${id} could not be anonymised: ${(error as Error).message}`);
      }
    }
    if (anonymised || failed) this.logger.log(`anonymised ${anonymised} closed cases (${failed} failed)`);
    return { cutoff, anonymised, failed };
  }

  /** False when the case is no longer due (another run took it, or it changed since it was listed). */
  private async anonymise(caseId: string, cutoff: Date, now: Date): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [current] = (await manager.query(
        `SELECT service, status, post_code FROM "case"
          WHERE id = $1 AND anonymised_at IS NULL AND updated_at < $2 FOR UPDATE SKIP LOCKED`,
        [caseId, cutoff],
      )) as { service: string; status: string; post_code: string }[];
      if (!current || !isTerminal(this.catalogue.machine(current.service), current.status)) return false;

      await this.catalogue.personalData(current.service).erase(manager, caseId);
      // Generated documents (the eVisa PDF) print the applicant's data: the row and its file go.
      const [documents] = (await manager.query(`DELETE FROM generated_document WHERE case_id = $1 RETURNING id`, [caseId])) as [
        unknown[],
        number,
      ];
      const storageKeys = await this.files.deleteRecords(manager, { caseId });
      await this.spine.updateApplicant(manager, caseId, { applicant: { name: null, email: null, phone: null }, lookup: null });
      const summary = { retentionDays: this.config.retention.closedCaseDays, files: storageKeys.length, documents: documents.length };
      await this.spine.recordEvent(manager, {
        caseId,
        actor: RETENTION_ACTOR,
        type: 'case.anonymised',
        visibility: 'internal',
        payload: summary,
        set: { anonymisedAt: now },
      });
      await this.audit.record(manager, {
        action: 'case.anonymised',
        actor: RETENTION_ACTOR,
        target: { type: 'case', id: caseId },
        postCode: current.post_code,
        details: summary,
      });
      // The bytes go before the commit: if that fails, the transaction rolls back and the next run
      // tries again (bytes already deleted are skipped), so no stored file ever outlives its row.
      await this.files.deleteStored(storageKeys);
      return true;
    });
  }
}
