import { Global, Module } from '@nestjs/common';
import { AuditBrowser } from './audit-browser.js';
import { AuditLog } from './audit-log.service.js';
import { AuditLogController } from './web/audit-log.controller.js';

/** The audit log writer, available to every library without importing this module. */
@Global()
@Module({ providers: [AuditLog], exports: [AuditLog] })
export class AuditModule {}

/** The supervisors' audit log pages. */
@Module({ providers: [AuditBrowser], controllers: [AuditLogController] })
export class AuditWebModule {}
