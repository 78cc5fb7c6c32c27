import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog, officerActor } from '@app/audit';
import { CaseSpine, type CaseRecord } from '@app/cases';
import { findCaseInScope } from '@app/identity';
import {
  type AuthenticatedOfficer,
  BlindIndex,
  Clock,
  DomainException,
  type Locale,
  Messages,
  postScopeOf,
  RateLimiter,
  type Translate,
  ValidationException,
} from '@app/platform';
import { EmergencyCipher } from './emergency-cipher.js';
import { EmergencyContact } from './entities/emergency-contact.entity.js';
import { EmergencyCase } from './entities/emergency-case.entity.js';
import { EmergencyErrors } from './errors.js';
import { type ReportInput, validateReport } from './report.js';
import { CONTACT_CHANNELS, EMERGENCY_SETTINGS, type EmergencySettings, firstContactDue, PRIORITIES } from './settings.js';
import { emergencyMachine, type EmergencyStatus } from './emergency.machine.js';

export interface ReportReceipt {
  caseId: string;
  reference: string;
  status: string;
  /** True when an earlier request with the same Idempotency-Key made this report. */
  replayed: boolean;
}

export interface PostChoice {
  code: string;
  nameEn: string;
  nameZh: string;
}

export interface ContactEntry {
  id: string;
  officerId: string;
  channel: string;
  note: string;
  sharedWithReporter: boolean;
  createdAt: Date;
}

/** An emergency case as the officer sees it: decrypted, so every reading is audited. */
export interface EmergencyView {
  case: CaseRecord;
  emergency: Omit<EmergencyCase, 'description' | 'personName' | 'resolutionNote' | 'idempotencyKey'> & {
    description: string | null;
    personName: string | null;
    resolutionNote: string | null;
  };
  contacts: ContactEntry[];
  /** Whether updates may be shared with the reporter (they are the person, or the person consented). */
  sharingAllowed: boolean;
}

export interface SharedUpdate {
  at: Date;
  text: string;
}

export const MAX_NOTE = 2000;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Emergency reports and the officers' work on them. Every status change goes through the case
 * spine in the same transaction as the emergency rows it touches, so nothing is half-written.
 */
@Injectable()
export class EmergencyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly cipher: EmergencyCipher,
    private readonly blindIndex: BlindIndex,
    private readonly limiter: RateLimiter,
    private readonly messages: Messages,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    @Inject(EMERGENCY_SETTINGS) readonly settings: EmergencySettings,
  ) {}

  /** Posts a report can go to: those offering emergency help, the missions abroad first. */
  async posts(): Promise<PostChoice[]> {
    return (await this.dataSource.query(
      `SELECT code, name_en AS "nameEn", name_zh AS "nameZh" FROM post
        WHERE 'emergency' = ANY(services) ORDER BY (kind = 'hq'), name_en`,
    )) as PostChoice[];
  }

  async report(input: ReportInput, context: { ip: string; locale: Locale; idempotencyKey?: string }): Promise<ReportReceipt> {
    const t = this.messages.translator(context.locale);
    const keyIndex = this.idempotencyIndex(context.idempotencyKey);
    if (keyIndex) {
      const earlier = await this.byIdempotencyKey(keyIndex);
      if (earlier) return earlier;
    }
    await this.limiter.consume(`emergency-report:${context.ip}`, this.settings.reportsPerIpPerHour, 3600);
    const posts = await this.posts();
    const checked = validateReport(
      input,
      this.settings,
      posts.map((p) => p.code),
      t,
    );
    if (!checked.report) throw new ValidationException(checked.errors, t('common.errorSummaryTitle'));
    const report = checked.report;
    const priority = this.settings.defaultPriorityByCategory[report.category] ?? 2;
    const reportedAt = this.clock.now();
    const due = firstContactDue(this.settings, reportedAt, priority);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const opened = await this.spine.openCase(manager, {
          machine: emergencyMachine,
          status: 'REPORTED',
          postCode: report.postCode,
          priority,
          locale: context.locale,
          applicant: { name: report.reporterName, email: report.email, phone: report.phone },
          lookup: { surname: report.surname, dateOfBirth: report.dateOfBirth },
          slaDueAt: due,
          actor: { type: 'applicant' },
          event: { payload: { category: report.category } },
        });
        await manager.insert(EmergencyCase, {
          caseId: opened.id,
          category: report.category,
          country: report.country,
          city: report.city,
          description: this.cipher.seal('emergency_case', 'description', opened.id, report.description),
          personName: this.cipher.seal('emergency_case', 'person_name', opened.id, report.personName),
          relationship: report.relationship,
          familyUpdatesConsent: report.familyUpdatesConsent,
          triagePriority: null,
          firstContactDueAt: due,
          firstContactedAt: null,
          resolutionNote: null,
          idempotencyKey: keyIndex,
          createdAt: reportedAt,
        });
        return { caseId: opened.id, reference: opened.reference, status: opened.status, replayed: false };
      });
    } catch (error) {
      // Two requests with the same key at once: the loser's transaction rolled back; answer with the winner's report.
      const earlier = keyIndex && (error as { code?: string }).code === '23505' ? await this.byIdempotencyKey(keyIndex) : null;
      if (earlier) return earlier;
      throw error;
    }
  }

  /** The case and its emergency details for an officer in scope; the reading of personal data is audited. */
  async view(officer: AuthenticatedOfficer, caseId: string): Promise<EmergencyView> {
    return this.dataSource.transaction(async (manager) => {
      const { current, emergency } = await this.loadInScope(manager, officer, caseId);
      await this.audit.record(manager, {
        action: 'case.personal_data_viewed',
        actor: officerActor(officer),
        target: { type: 'case', id: caseId },
        postCode: current.postCode,
      });
      return { case: current, ...(await this.describe(manager, emergency)) };
    });
  }

  /** The workspace's view of the details, read in the workspace's already audited opening. */
  async details(caseId: string): Promise<Omit<EmergencyView, 'case'> | null> {
    const manager = this.dataSource.manager;
    const emergency = await manager.findOneBy(EmergencyCase, { caseId });
    if (!emergency) return null;
    return this.describe(manager, emergency);
  }

  /** REPORTED → TRIAGED: sets the priority and, from the report's time, when first contact is due. */
  async triage(officer: AuthenticatedOfficer, caseId: string, expectedVersion: number, priorityInput: string, t: Translate): Promise<void> {
    const priority = Number(/^[1-4]$/.test(priorityInput) ? priorityInput : NaN);
    if (!(PRIORITIES as readonly number[]).includes(priority)) {
      throw new ValidationException([{ field: 'priority', messages: [t('emergency.error.priority.missing')] }]);
    }
    await this.dataSource.transaction(async (manager) => {
      const { current, emergency } = await this.loadInScope(manager, officer, caseId, true);
      const due = firstContactDue(this.settings, emergency.createdAt, priority);
      await this.spine.transition(manager, {
        machine: emergencyMachine,
        caseId,
        expectedVersion,
        current,
        to: 'TRIAGED',
        actor: { type: 'officer', id: officer.id },
        visibility: 'applicant',
        type: 'emergency.triaged',
        payload: { priority },
        // Once the reporter has been contacted, the first-contact target is met and no longer due.
        set: { priority, slaDueAt: emergency.firstContactedAt ? null : due },
      });
      await manager.update(EmergencyCase, { caseId }, { triagePriority: priority, firstContactDueAt: due });
    });
  }

  async startWork(officer: AuthenticatedOfficer, caseId: string, expectedVersion: number): Promise<void> {
    await this.move(officer, caseId, expectedVersion, 'IN_PROGRESS');
  }

  /** IN_PROGRESS → RESOLVED, with a note that the reporter sees when consent covers it. */
  async resolve(officer: AuthenticatedOfficer, caseId: string, expectedVersion: number, noteInput: string, t: Translate): Promise<void> {
    const note = noteInput.trim();
    if (!note) throw new ValidationException([{ field: 'resolutionNote', messages: [t('emergency.error.resolutionNote.missing')] }]);
    if (note.length > MAX_NOTE) throw new ValidationException([{ field: 'resolutionNote', messages: [t('emergency.error.note.tooLong')] }]);
    await this.move(officer, caseId, expectedVersion, 'RESOLVED', async (manager) => {
      await manager.update(
        EmergencyCase,
        { caseId },
        { resolutionNote: this.cipher.seal('emergency_case', 'resolution_note', caseId, note) },
      );
    });
  }

  async close(officer: AuthenticatedOfficer, caseId: string, expectedVersion: number): Promise<void> {
    await this.move(officer, caseId, expectedVersion, 'CLOSED');
  }

  /**
   * Records a contact. Shared with the reporter, it becomes an applicant-visible event (and so an
   * email); that needs the person's consent when the reporter is someone else.
   */
  async logContact(
    officer: AuthenticatedOfficer,
    caseId: string,
    input: { channel: string; note: string; share: boolean },
    t: Translate,
  ): Promise<void> {
    const note = input.note.trim();
    const errors = [];
    if (!(CONTACT_CHANNELS as readonly string[]).includes(input.channel))
      errors.push({ field: 'channel', messages: [t('emergency.error.channel.missing')] });
    if (!note) errors.push({ field: 'note', messages: [t('emergency.error.note.missing')] });
    else if (note.length > MAX_NOTE) errors.push({ field: 'note', messages: [t('emergency.error.note.tooLong')] });
    if (errors.length) throw new ValidationException(errors);
    await this.dataSource.transaction(async (manager) => {
      const { emergency } = await this.loadInScope(manager, officer, caseId, true);
      if (input.share && !this.sharingAllowed(emergency)) {
        throw new ValidationException([{ field: 'share', messages: [t('emergency.error.share.noConsent')] }]);
      }
      const id = randomUUID();
      const now = this.clock.now();
      await manager.insert(EmergencyContact, {
        id,
        caseId,
        officerId: officer.id,
        channel: input.channel,
        note: this.cipher.seal('emergency_contact_log', 'note', id, note),
        sharedWithReporter: input.share,
        createdAt: now,
      });
      const firstContact = !emergency.firstContactedAt;
      if (firstContact) await manager.update(EmergencyCase, { caseId }, { firstContactedAt: now });
      await this.spine.recordEvent(manager, {
        caseId,
        actor: { type: 'officer', id: officer.id },
        type: input.share ? 'emergency.update_shared' : 'emergency.contact_logged',
        visibility: input.share ? 'applicant' : 'internal',
        payload: { contactId: id, channel: input.channel },
        set: firstContact ? { slaDueAt: null } : undefined,
      });
    });
  }

  /** What the reporter may read on the status page: shared contact notes and, once resolved, the resolution note. */
  async sharedUpdates(manager: EntityManager, caseId: string): Promise<SharedUpdate[]> {
    const emergency = await manager.findOneBy(EmergencyCase, { caseId });
    if (!emergency || !this.sharingAllowed(emergency)) return [];
    const shared = await manager.find(EmergencyContact, { where: { caseId, sharedWithReporter: true }, order: { createdAt: 'ASC' } });
    const updates = shared
      .filter((c) => c.note !== null)
      .map((c) => ({ at: c.createdAt, text: this.cipher.open('emergency_contact_log', 'note', c.id, c.note) ?? '' }));
    if (emergency.resolutionNote) {
      const [resolved] = (await manager.query(
        `SELECT created_at FROM case_event WHERE case_id = $1 AND to_status = 'RESOLVED' ORDER BY seq DESC LIMIT 1`,
        [caseId],
      )) as { created_at: Date }[];
      updates.push({
        at: resolved?.created_at ?? emergency.createdAt,
        text: this.cipher.open('emergency_case', 'resolution_note', caseId, emergency.resolutionNote) ?? '',
      });
    }
    return updates;
  }

  /** The reporter's own contact details (the case's applicant), decrypted. */
  reporter(record: CaseRecord): { name: string | null; email: string | null; phone: string | null } {
    return this.spine.decryptApplicant(record);
  }

  sharingAllowed(emergency: Pick<EmergencyCase, 'relationship' | 'familyUpdatesConsent'>): boolean {
    return emergency.relationship === 'self' || emergency.familyUpdatesConsent || !this.settings.familyUpdatesRequireConsent;
  }

  private async move(
    officer: AuthenticatedOfficer,
    caseId: string,
    expectedVersion: number,
    to: EmergencyStatus,
    alongside?: (manager: EntityManager) => Promise<void>,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const { current } = await this.loadInScope(manager, officer, caseId, true);
      await this.spine.transition(manager, {
        machine: emergencyMachine,
        caseId,
        expectedVersion,
        current,
        to,
        actor: { type: 'officer', id: officer.id },
        visibility: 'applicant',
        set: to === 'RESOLVED' ? { decidedAt: this.clock.now() } : undefined,
      });
      await alongside?.(manager);
    });
  }

  /** An emergency case in the officer's post scope; anything else (another post, another service) is 404. */
  private async loadInScope(
    manager: EntityManager,
    officer: AuthenticatedOfficer,
    caseId: string,
    lock = false,
  ): Promise<{ current: CaseRecord; emergency: EmergencyCase }> {
    const current = await findCaseInScope(manager, caseId, postScopeOf(officer), lock);
    const emergency = current.service === 'emergency' ? await manager.findOneBy(EmergencyCase, { caseId }) : null;
    if (!emergency) throw new DomainException(EmergencyErrors.EMERGENCY_CASE_NOT_FOUND, 'No such emergency case.');
    return { current, emergency };
  }

  private async describe(manager: EntityManager, emergency: EmergencyCase): Promise<Omit<EmergencyView, 'case'>> {
    const caseId = emergency.caseId;
    const contacts = await manager.find(EmergencyContact, { where: { caseId }, order: { createdAt: 'ASC' } });
    const { idempotencyKey: _key, ...rest } = emergency;
    return {
      emergency: {
        ...rest,
        description: this.cipher.open('emergency_case', 'description', caseId, emergency.description),
        personName: this.cipher.open('emergency_case', 'person_name', caseId, emergency.personName),
        resolutionNote: this.cipher.open('emergency_case', 'resolution_note', caseId, emergency.resolutionNote),
      },
      contacts: contacts.map((c) => ({
        id: c.id,
        officerId: c.officerId,
        channel: c.channel,
        note: this.cipher.open('emergency_contact_log', 'note', c.id, c.note) ?? '',
        sharedWithReporter: c.sharedWithReporter,
        createdAt: c.createdAt,
      })),
      sharingAllowed: this.sharingAllowed(emergency),
    };
  }

  private idempotencyIndex(key: string | undefined): string | null {
    if (key === undefined || key === '') return null;
    if (!IDEMPOTENCY_KEY.test(key)) {
      throw new DomainException(
        EmergencyErrors.EMERGENCY_IDEMPOTENCY_KEY_INVALID,
        'The Idempotency-Key header must be 8 to 128 letters, digits, . _ : or -.',
      );
    }
    return this.blindIndex.of('emergency-idempotency', key);
  }

  private async byIdempotencyKey(keyIndex: string): Promise<ReportReceipt | null> {
    const [row] = (await this.dataSource.query(
      `SELECT c.id, c.reference, c.status FROM emergency_case e JOIN "case" c ON c.id = e.case_id WHERE e.idempotency_key = $1`,
      [keyIndex],
    )) as { id: string; reference: string; status: string }[];
    return row ? { caseId: row.id, reference: row.reference, status: row.status, replayed: true } : null;
  }
}
