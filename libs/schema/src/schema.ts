import { FileRecord, typeOrmOptions } from '@app/platform';
import { CaseEvent, CaseRecord, GeneratedDocument, OutboxMessage } from '@app/cases';
import { SERVICE_CATALOGUE } from '@app/catalogue';
import { Post } from '@app/posts';
import { AccessToken, Officer } from '@app/identity';
import { AuditRecord } from '@app/audit';
import { NotificationPreference, NotificationRecord, SmsDevMessage } from '@app/notifications';
import { EmailProof, MyCasesSession, ShareCode, ShareCodeUse, StatusLookup } from '@app/status';
import type { DataSourceOptions } from 'typeorm';
import { Foundation1764057600000 } from '../../../migrations/1764057600000-Foundation.js';
import { GeneratedDocuments1764057650000 } from '../../../migrations/1764057650000-GeneratedDocuments.js';
import { Identity1764057700000 } from '../../../migrations/1764057700000-Identity.js';
import { AuditLog1764057750000 } from '../../../migrations/1764057750000-AuditLog.js';
import { Notifications1764057800000 } from '../../../migrations/1764057800000-Notifications.js';
import { CitizenStatus1764057850000 } from '../../../migrations/1764057850000-CitizenStatus.js';
import { Evisa1764057900000 } from '../../../migrations/1764057900000-Evisa.js';
import { ReviewQueue1764058100000 } from '../../../migrations/1764058100000-ReviewQueue.js';
import { EvisaIssuance1764058200000 } from '../../../migrations/1764058200000-EvisaIssuance.js';
import { DataLifecycle1764058300000 } from '../../../migrations/1764058300000-DataLifecycle.js';
import { OutboxWakeAfterCommit1764059500000 } from '../../../migrations/1764059500000-OutboxWakeAfterCommit.js';
import { ClaimableIndexes1764060000000 } from '../../../migrations/1764060000000-ClaimableIndexes.js';
import { ApprovedCasesIndex1764060100000 } from '../../../migrations/1764060100000-ApprovedCasesIndex.js';
import { ApplicantDrafts1764060150000 } from '../../../migrations/1764060150000-ApplicantDrafts.js';
import { InformationRequests1764060160000 } from '../../../migrations/1764060160000-InformationRequests.js';
import { Emergency1764060200000 } from '../../../migrations/1764060200000-Emergency.js';
import { Legalisation1764060300000 } from '../../../migrations/1764060300000-Legalisation.js';
import { Abtc1764060400000 } from '../../../migrations/1764060400000-Abtc.js';
import { Passports1764060500000 } from '../../../migrations/1764060500000-Passports.js';

/** Every entity of every shared library, listed by hand (globs break in a compiled monorepo), then those of each service. */
export const ENTITIES = [
  Post,
  CaseRecord,
  CaseEvent,
  OutboxMessage,
  FileRecord,
  GeneratedDocument,
  Officer,
  AccessToken,
  AuditRecord,
  NotificationRecord,
  NotificationPreference,
  SmsDevMessage,
  StatusLookup,
  EmailProof,
  MyCasesSession,
  ShareCode,
  ShareCodeUse,
  ...SERVICE_CATALOGUE.flatMap((service) => service.entities),
];

/** Every migration, in order. */
export const MIGRATIONS = [
  Foundation1764057600000,
  GeneratedDocuments1764057650000,
  Identity1764057700000,
  AuditLog1764057750000,
  Notifications1764057800000,
  CitizenStatus1764057850000,
  Evisa1764057900000,
  ReviewQueue1764058100000,
  EvisaIssuance1764058200000,
  DataLifecycle1764058300000,
  OutboxWakeAfterCommit1764059500000,
  ClaimableIndexes1764060000000,
  ApprovedCasesIndex1764060100000,
  ApplicantDrafts1764060150000,
  InformationRequests1764060160000,
  Emergency1764060200000,
  Legalisation1764060300000,
  Abtc1764060400000,
  Passports1764060500000,
];

export function dataSourceOptions(databaseUrl: string, poolSize?: number): DataSourceOptions {
  return typeOrmOptions(databaseUrl, { entities: ENTITIES, migrations: MIGRATIONS }, poolSize);
}
