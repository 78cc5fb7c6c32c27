import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseRecord, CaseSpine, ServiceCatalogueModule } from '@app/cases';
import { SERVICE_CATALOGUE } from '@app/catalogue';
import { type AppConfig, type Locale, PlatformModule } from '@app/platform';
import { NotificationsWorkerModule } from '@app/notifications';
import { dataSourceOptions } from '@app/schema';
import { initialStatusOf, machineOf } from '../harness/catalogue.js';

@Module({})
class NotifierTestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: NotifierTestModule,
      imports: [
        PlatformModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, 5)),
        ServiceCatalogueModule.forRoot(SERVICE_CATALOGUE, []),
        NotificationsWorkerModule,
      ],
    };
  }
}

/** The notification handler and what it needs, without BullMQ workers: the test calls the handler itself. */
export async function notifierContext(config: AppConfig): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(NotifierTestModule.forRoot(config), { logger: false, abortOnError: false });
}

export interface TestApplicant {
  email?: string | null;
  phone?: string | null;
  surname?: string;
  dateOfBirth?: string;
  locale?: Locale;
}

export async function openCase(
  manager: EntityManager,
  spine: CaseSpine,
  service: string,
  applicant: TestApplicant = {},
): Promise<CaseRecord> {
  return spine.openCase(manager, {
    machine: machineOf(service),
    status: initialStatusOf(service),
    postCode: 'US-LAX',
    locale: applicant.locale ?? 'en',
    applicant: { name: `${applicant.surname ?? 'CHEN'} Mei-Ling`, email: applicant.email ?? null, phone: applicant.phone ?? null },
    lookup: { surname: applicant.surname ?? 'CHEN', dateOfBirth: applicant.dateOfBirth ?? '1990-04-01' },
    actor: { type: 'applicant' },
  });
}

/** Moves a case through the given statuses, each as an applicant-visible change; returns the last event's seq. */
export async function moveCase(
  dataSource: DataSource,
  spine: CaseSpine,
  caseId: string,
  statuses: string[],
  payload = {},
): Promise<number> {
  let seq = 0;
  for (const to of statuses) {
    const current = await dataSource.manager.findOneByOrFail(CaseRecord, { id: caseId });
    const { event } = await dataSource.transaction((m) =>
      spine.transition(m, {
        machine: machineOf(current.service),
        caseId,
        expectedVersion: current.version,
        to,
        actor: { type: 'officer', id: 'o-test' },
        visibility: 'applicant',
        payload,
      }),
    );
    seq = event.seq;
  }
  return seq;
}

export function contextParts(app: INestApplicationContext): { dataSource: DataSource; spine: CaseSpine } {
  return { dataSource: app.get(DataSource), spine: app.get(CaseSpine) };
}
