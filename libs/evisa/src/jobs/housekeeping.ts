import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EvisaApplicationService } from '../application.service.js';
import { EvisaOfficerActions } from '../officer-actions.service.js';

const EVERY_MS = 15 * 60 * 1000;

/**
 * Runs in the worker: every 15 minutes, purges expired drafts and refuses cases whose request for
 * information went unanswered past its deadline. Both are safe to run on every worker at once.
 */
@Injectable()
export class EvisaHousekeeping implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EvisaHousekeeping.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly applications: EvisaApplicationService,
    private readonly officerActions: EvisaOfficerActions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce().catch(() => undefined), EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async runOnce(now = new Date()): Promise<{ purgedDrafts: number; expiredRequests: number }> {
    const work = (async () => {
      const purgedDrafts = await this.applications.purgeExpiredDrafts(now);
      const expiredRequests = await this.officerActions.expireInformationRequests(now);
      if (purgedDrafts || expiredRequests)
        this.logger.log(`purged ${purgedDrafts} expired drafts, refused ${expiredRequests} unanswered cases`);
      return { purgedDrafts, expiredRequests };
    })();
    this.running = work.then(
      () => undefined,
      (error: unknown) => this.logger.warn(`housekeeping failed: ${(error as Error).message}`),
    );
    return work;
  }
}
