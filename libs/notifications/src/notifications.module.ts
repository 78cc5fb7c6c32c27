import { Module } from '@nestjs/common';
import { CaseEventNotifier } from './case-event.notifier.js';

@Module({ providers: [CaseEventNotifier] })
export class NotificationsWorkerModule {}
