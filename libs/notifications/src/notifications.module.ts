import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CasesModule } from '@app/cases';
import { APP_CONFIG, type AppConfig, FieldCipher } from '@app/platform';
import { CaseEventNotifier } from './case-event.notifier.js';
import { EmailSender, SmtpEmailSender } from './channels/email.sender.js';
import { DatabaseSmsSender, DisabledSmsSender, SmsSender, WebhookSmsSender } from './channels/sms.sender.js';
import { MessageRenderer } from './message-renderer.js';
import { NotificationDelivery } from './notification-delivery.service.js';
import { NotificationPreferences } from './notification-preferences.service.js';
import { NotificationQueries } from './notification.queries.js';
import { FailedDeliveriesApiController, FailedDeliveriesPageController } from './web/failed-deliveries.controller.js';

/** Channels, rendering, delivery records and preferences: shared by the worker and the API. */
@Module({
  imports: [CasesModule],
  providers: [
    { provide: EmailSender, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new SmtpEmailSender(c.mail.smtpUrl, c.mail.from) },
    {
      provide: SmsSender,
      inject: [APP_CONFIG, DataSource, FieldCipher],
      useFactory: (c: AppConfig, dataSource: DataSource, cipher: FieldCipher): SmsSender => {
        if (c.sms.webhookUrl) return new WebhookSmsSender(c.sms.webhookUrl, c.sms.webhookToken);
        return c.env === 'production' ? new DisabledSmsSender() : new DatabaseSmsSender(dataSource, cipher);
      },
    },
    MessageRenderer,
    NotificationDelivery,
    NotificationPreferences,
    NotificationQueries,
  ],
  exports: [EmailSender, SmsSender, MessageRenderer, NotificationDelivery, NotificationPreferences, NotificationQueries],
})
export class NotificationsModule {}

/** The worker side: the handler of CORE_JOBS.NotifyCaseEvent. */
@Module({ imports: [CasesModule, NotificationsModule], providers: [CaseEventNotifier] })
export class NotificationsWorkerModule {}

/** The API side: the supervisors' failed-delivery list and resend. */
@Module({ imports: [NotificationsModule], controllers: [FailedDeliveriesApiController, FailedDeliveriesPageController] })
export class NotificationsWebModule {}
