import { Module } from '@nestjs/common';
import { CasesModule } from '@app/cases';
import { NotificationsModule } from '@app/notifications';
import { AlertsService } from './alerts.service.js';
import { DashboardService } from './dashboard.service.js';
import { DecisionService } from './decision.service.js';
import { EscalationService } from './escalation.service.js';
import { ReviewApiController } from './review.api.controller.js';
import { ReviewPagesController } from './review.pages.controller.js';
import { ReviewQueueService } from './review-queue.service.js';
import { WorkspaceService } from './workspace.service.js';

const services = [ReviewQueueService, DecisionService, WorkspaceService, DashboardService, AlertsService];

/** The officers' review queue, workspace and dashboard (HTTP side). */
@Module({
  imports: [CasesModule, NotificationsModule],
  controllers: [ReviewApiController, ReviewPagesController],
  providers: services,
  exports: [DecisionService],
})
export class ReviewModule {}

/** The worker side: SLA escalation and its emails. */
@Module({ imports: [CasesModule, NotificationsModule], providers: [EscalationService] })
export class ReviewWorkerModule {}
