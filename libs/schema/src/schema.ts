import { FileRecord, typeOrmOptions } from '@app/platform';
import { CaseEvent, CaseRecord, GeneratedDocument, OutboxMessage } from '@app/cases';
import { Post } from '@app/posts';
import { NotificationPreference, NotificationRecord, SmsDevMessage } from '@app/notifications';
import { EmailProof, MyCasesSession, ShareCode, ShareCodeUse, StatusLookup } from '@app/status';
import type { DataSourceOptions } from 'typeorm';
import { Foundation1764057600000 } from '../../../migrations/1764057600000-Foundation.js';
import { GeneratedDocuments1764057650000 } from '../../../migrations/1764057650000-GeneratedDocuments.js';
import { Notifications1764057800000 } from '../../../migrations/1764057800000-Notifications.js';
import { CitizenStatus1764057850000 } from '../../../migrations/1764057850000-CitizenStatus.js';

/** Every entity of every library, listed by hand (globs break in a compiled monorepo). */
export const ENTITIES = [
  Post,
  CaseRecord,
  CaseEvent,
  OutboxMessage,
  FileRecord,
  GeneratedDocument,
  NotificationRecord,
  NotificationPreference,
  SmsDevMessage,
  StatusLookup,
  EmailProof,
  MyCasesSession,
  ShareCode,
  ShareCodeUse,
];

/** Every migration, in order. */
export const MIGRATIONS = [
  Foundation1764057600000,
  GeneratedDocuments1764057650000,
  Notifications1764057800000,
  CitizenStatus1764057850000,
];

export function dataSourceOptions(databaseUrl: string, poolSize?: number): DataSourceOptions {
  return typeOrmOptions(databaseUrl, { entities: ENTITIES, migrations: MIGRATIONS }, poolSize);
}
