import { Module } from '@nestjs/common';
import { CasesModule } from '@app/cases';
import { NotificationsModule } from '@app/notifications';
import { CaseAccess } from './case-access.js';
import { CaseUpdatesService } from './case-updates.service.js';
import { CaseViewService } from './case-view.service.js';
import { DocumentsService } from './documents.service.js';
import { MyCasesService } from './my-cases.service.js';
import { ShareCodeQueries } from './share-code.queries.js';
import { ShareCodesService } from './share-codes.service.js';
import { StatusAudit } from './status-audit.js';
import { StatusCheckService } from './status-check.service.js';
import { MyCasesApiController, MyCasesPagesController } from './web/my-cases.controller.js';
import { ShareCheckApiController, SharePagesController } from './web/share.controller.js';
import { StatusApiController, StatusPagesController } from './web/status.controller.js';

/** The citizen side: status check, emailed links, documents, updates, share codes and "my cases". */
@Module({
  imports: [CasesModule, NotificationsModule],
  providers: [
    CaseAccess,
    CaseUpdatesService,
    CaseViewService,
    DocumentsService,
    MyCasesService,
    ShareCodeQueries,
    ShareCodesService,
    StatusAudit,
    StatusCheckService,
  ],
  controllers: [
    StatusApiController,
    StatusPagesController,
    ShareCheckApiController,
    SharePagesController,
    MyCasesApiController,
    MyCasesPagesController,
  ],
  exports: [CaseViewService, StatusCheckService],
})
export class StatusModule {}
