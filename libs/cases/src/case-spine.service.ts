import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { BlindIndex, DomainException, FieldCipher, type Locale } from '@app/platform';
import { CaseEvent, type ActorType, type Visibility } from './entities/case-event.entity.js';
import { CaseRecord } from './entities/case.entity.js';
import { CaseErrors } from './errors.js';
import { eventHash, genesisHash } from './event-chain.js';
import { OutboxWriter } from './outbox/outbox.writer.js';
import { ServiceCatalogue } from './catalogue/service-catalogue.js';
import { CORE_JOBS } from './queue/jobs.js';
import { generateReference } from './reference.js';
import { SqlParams } from './sql-params.js';
import { assertTransition, type StateMachine } from './state-machines/index.js';

export interface Actor {
  type: ActorType;
  id?: string | null;
}

export interface ApplicantContact {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
}

export interface OpenCaseInput<S extends string = string> {
  /** The service's machine: names the service and types the status. */
  machine: StateMachine<S>;
  status: NoInfer<S>;
  postCode: string;
  priority?: number;
  locale: Locale;
  applicant?: ApplicantContact;
  /** What an applicant types to look the case up: surname and date of birth (YYYY-MM-DD). */
  lookup?: { surname: string; dateOfBirth: string };
  slaDueAt?: Date | null;
  /** The command's moment (the service's clock), so that the SLA and `submitted_at` count from the same instant. */
  at?: Date;
  actor: Actor;
  event?: { type?: string; visibility?: Visibility; payload?: Record<string, unknown> };
}

/** Columns a transition may change along with the status. */
export type CaseUpdate = Partial<
  Pick<
    CaseRecord,
    'assignedOfficerId' | 'claimExpiresAt' | 'slaDueAt' | 'submittedAt' | 'decidedAt' | 'priority' | 'postCode' | 'anonymisedAt'
  >
>;

export interface TransitionInput<S extends string = string> {
  /**
   * The machine of the case's service: types `to`, so that a misspelt status does not compile.
   * Shared code passes `catalogue.machine(service)`. A case of another service is refused.
   */
  machine: StateMachine<S>;
  caseId: string;
  /** The version the caller last saw; anything else is a VERSION_CONFLICT. */
  expectedVersion: number;
  to: NoInfer<S>;
  actor: Actor;
  type?: string;
  visibility: Visibility;
  payload?: Record<string, unknown>;
  set?: CaseUpdate;
  /**
   * The case as the caller has just read it in this transaction, with its row locked (FOR UPDATE, or
   * the caller's own UPDATE): saves reading it again. The optimistic lock still applies.
   */
  current?: CaseRecord;
}

export interface RecordEventInput {
  caseId: string;
  /** When given, the event is refused if the case has moved on; when omitted, it is appended to whatever is current. */
  expectedVersion?: number;
  actor: Actor;
  type: string;
  visibility: Visibility;
  payload?: Record<string, unknown>;
  set?: CaseUpdate;
}

const MAX_APPEND_RETRIES = 5;

/** A case row as PostgreSQL returns it (`RETURNING *`, column names) made into the entity TypeORM would load. */
export function caseFromRow(manager: EntityManager, row: Record<string, unknown>): CaseRecord {
  const record = new CaseRecord();
  for (const column of manager.connection.getMetadata(CaseRecord).columns) {
    (record as unknown as Record<string, unknown>)[column.propertyName] = row[column.databaseName];
  }
  return record;
}

/** The INSERT of an event, with its values added to `params`, written only if the relation `from` yields a row. */
function eventInsertFrom(params: SqlParams, event: CaseEvent, from: string): string {
  return `INSERT INTO case_event (case_id, seq, type, from_status, to_status, actor_type, actor_id, visibility, payload, prev_hash, hash, created_at)
          SELECT ${[
            params.add(event.caseId, 'uuid'),
            params.add(event.seq, 'int'),
            params.add(event.type, 'text'),
            params.add(event.fromStatus, 'text'),
            params.add(event.toStatus, 'text'),
            params.add(event.actorType, 'text'),
            params.add(event.actorId, 'text'),
            params.add(event.visibility, 'text'),
            params.add(JSON.stringify(event.payload), 'jsonb'),
            params.add(event.prevHash, 'text'),
            params.add(event.hash, 'text'),
            params.add(event.createdAt, 'timestamptz'),
          ].join(', ')} FROM ${from}`;
}

/**
 * The only writer of case status and case history. Each call runs inside the caller's
 * transaction and writes the case row, its hash-chained event and, when the applicant can see
 * the event, the outbox row that will notify them — all or nothing.
 */
@Injectable()
export class CaseSpine {
  constructor(
    private readonly cipher: FieldCipher,
    private readonly blindIndex: BlindIndex,
    private readonly outbox: OutboxWriter,
    private readonly catalogue: ServiceCatalogue,
  ) {}

  async openCase<S extends string>(manager: EntityManager, input: OpenCaseInput<S>): Promise<CaseRecord> {
    const machine = this.catalogue.machine(input.machine.service);
    const service = machine.service;
    if (!machine.initial.includes(input.status)) {
      throw new DomainException(CaseErrors.INVALID_TRANSITION, `A ${service} case cannot start in ${input.status}.`, {
        allowed: machine.initial,
      });
    }
    const id = randomUUID();
    const now = input.at ?? new Date();
    const event = input.event ?? {};
    const first = this.buildEvent(id, 1, genesisHash(id), {
      type: event.type ?? 'case.opened',
      fromStatus: null,
      toStatus: input.status,
      actor: input.actor,
      visibility: event.visibility ?? 'applicant',
      payload: event.payload ?? {},
      createdAt: now,
    });
    const applicant = input.applicant ?? {};
    for (let attempt = 0; attempt < 3; attempt++) {
      const reference = generateReference(this.catalogue.get(service).referencePrefix);
      const params = new SqlParams();
      const columns = [
        params.add(id),
        params.add(reference),
        params.add(service),
        params.add(input.status),
        params.add(input.postCode),
        params.add(input.priority ?? 3),
        params.add(this.seal(applicant.name, id, 'applicant_name')),
        params.add(this.seal(applicant.email, id, 'applicant_email')),
        params.add(applicant.email ? this.emailIndex(applicant.email) : null),
        params.add(this.seal(applicant.phone, id, 'applicant_phone')),
        params.add(input.locale),
        params.add(input.lookup ? this.lookupKey(reference, input.lookup.surname, input.lookup.dateOfBirth) : null),
        params.add(input.slaDueAt ?? null),
        params.add(input.status === 'DRAFT' ? null : now),
        '1',
        '1',
        params.add(first.hash),
      ];
      const at = params.add(now);
      const inserted = (await manager.query(
        `WITH opened AS (
           INSERT INTO "case" (id, reference, service, status, post_code, priority, applicant_name, applicant_email,
                               applicant_email_index, applicant_phone, locale, lookup_key, sla_due_at, submitted_at,
                               version, event_count, last_event_hash, created_at, updated_at)
           VALUES (${columns.join(', ')}, ${at}, ${at})
           ON CONFLICT (reference) DO NOTHING RETURNING *),
         event AS (${eventInsertFrom(params, first, 'opened')} RETURNING 1)
         ${this.notificationFor(params, first, 'event')}
         SELECT * FROM opened`,
        params.values,
      )) as Record<string, unknown>[];
      if (inserted.length === 1) {
        if (first.visibility === 'applicant') this.outbox.written(manager);
        return caseFromRow(manager, inserted[0]!);
      }
    }
    throw new Error('could not allocate a unique case reference');
  }

  async transition<S extends string>(manager: EntityManager, input: TransitionInput<S>): Promise<{ case: CaseRecord; event: CaseEvent }> {
    const current = input.current?.id === input.caseId ? input.current : await this.load(manager, input.caseId);
    if (input.machine.service !== current.service) {
      throw new Error(`transition of a ${current.service} case with the ${input.machine.service} state machine`);
    }
    this.assertVersion(current, input.expectedVersion);
    assertTransition(this.catalogue.machine(current.service), current.status, input.to);
    return this.append(manager, current, {
      type: input.type ?? 'status.changed',
      fromStatus: current.status,
      toStatus: input.to,
      actor: input.actor,
      visibility: input.visibility,
      payload: input.payload ?? {},
      set: { ...input.set, status: input.to },
    });
  }

  async recordEvent(manager: EntityManager, input: RecordEventInput): Promise<{ case: CaseRecord; event: CaseEvent }> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.load(manager, input.caseId);
      if (input.expectedVersion !== undefined) this.assertVersion(current, input.expectedVersion);
      try {
        return await this.append(manager, current, {
          type: input.type,
          fromStatus: null,
          toStatus: null,
          actor: input.actor,
          visibility: input.visibility,
          payload: input.payload ?? {},
          set: input.set ?? {},
        });
      } catch (error) {
        const lostRace = error instanceof DomainException && error.code === CaseErrors.VERSION_CONFLICT;
        if (!lostRace || input.expectedVersion !== undefined || attempt >= MAX_APPEND_RETRIES) throw error;
      }
    }
  }

  /**
   * Sets (or, with nulls, clears) the applicant's contact details and status-check key on a case
   * opened without them, such as a draft submitted later. Status and history are untouched.
   */
  async updateApplicant(
    manager: EntityManager,
    caseId: string,
    input: { applicant: ApplicantContact; lookup: { surname: string; dateOfBirth: string } | null },
    /** The case as the caller has just read it, row locked, in this transaction: saves reading it again. */
    current?: CaseRecord,
  ): Promise<CaseRecord> {
    const record = current?.id === caseId ? current : await this.load(manager, caseId);
    const { name, email, phone } = input.applicant;
    const [rows] = (await manager.query(
      `UPDATE "case" SET applicant_name = $2, applicant_email = $3, applicant_email_index = $4, applicant_phone = $5, lookup_key = $6,
                         updated_at = now() WHERE id = $1 RETURNING *`,
      [
        caseId,
        this.seal(name, caseId, 'applicant_name'),
        this.seal(email, caseId, 'applicant_email'),
        email ? this.emailIndex(email) : null,
        this.seal(phone, caseId, 'applicant_phone'),
        input.lookup ? this.lookupKey(record.reference, input.lookup.surname, input.lookup.dateOfBirth) : null,
      ],
    )) as [Record<string, unknown>[], number];
    return caseFromRow(manager, rows[0]!);
  }

  /** The value stored in `case.applicant_email_index`: how a case is found by its applicant's email address. */
  emailIndex(email: string): string {
    return this.blindIndex.of('email', email.toLowerCase());
  }

  /**
   * The value stored in `case.lookup_key`: what the status check compares, without storing the
   * answers. The surname is normalised here, once, so every service and the status check agree
   * however it was typed (case, spacing, full-width letters).
   */
  lookupKey(reference: string, surname: string, dateOfBirth: string): string {
    const name = surname.normalize('NFKC').trim().replace(/\s+/g, ' ').toUpperCase();
    return this.blindIndex.of('case-lookup', `${reference}|${name}|${dateOfBirth}`);
  }

  decryptApplicant(record: CaseRecord): { name: string | null; email: string | null; phone: string | null } {
    return {
      name: this.open(record.applicantName, record.id, 'applicant_name'),
      email: this.open(record.applicantEmail, record.id, 'applicant_email'),
      phone: this.open(record.applicantPhone, record.id, 'applicant_phone'),
    };
  }

  async load(manager: EntityManager, caseId: string): Promise<CaseRecord> {
    const found = await manager.findOneBy(CaseRecord, { id: caseId });
    if (!found) throw new DomainException(CaseErrors.CASE_NOT_FOUND, 'No such case.');
    return found;
  }

  /** Throws VERSION_CONFLICT, saying what changed, when the case is no longer at the version the caller saw. */
  assertVersion(current: CaseRecord, expected: number): void {
    if (current.version !== expected) {
      throw new DomainException(
        CaseErrors.VERSION_CONFLICT,
        `This case changed since you opened it (you saw version ${expected}, it is now ${current.version} with status ${current.status}). Reload it and try again.`,
        { expectedVersion: expected, currentVersion: current.version, currentStatus: current.status },
      );
    }
  }

  private async append(
    manager: EntityManager,
    current: CaseRecord,
    change: {
      type: string;
      fromStatus: string | null;
      toStatus: string | null;
      actor: Actor;
      visibility: Visibility;
      payload: Record<string, unknown>;
      set: CaseUpdate & { status?: string };
    },
  ): Promise<{ case: CaseRecord; event: CaseEvent }> {
    const seq = current.eventCount + 1;
    const event = this.buildEvent(current.id, seq, current.lastEventHash ?? genesisHash(current.id), { ...change, createdAt: new Date() });
    const metadata = manager.connection.getMetadata(CaseRecord);
    const params = new SqlParams();
    const assignments = Object.entries(change.set)
      .filter(([, value]) => value !== undefined)
      .map(([property, value]) => `${metadata.findColumnWithPropertyName(property)!.databaseName} = ${params.add(value)}`);
    // The optimistic lock: a concurrent writer that committed first has bumped the version, so the
    // UPDATE matches no row and, as they read from it, neither the event nor the outbox row is written.
    // (TypeORM's save() would not check the version column.) One statement: each round trip costs more
    // here than the SQL does.
    const moved = (await manager.query(
      `WITH moved AS (
         UPDATE "case" SET ${[...assignments, 'version = version + 1', `event_count = ${params.add(seq)}`, `last_event_hash = ${params.add(event.hash)}`, 'updated_at = now()'].join(', ')}
          WHERE id = ${params.add(current.id)} AND version = ${params.add(current.version)}
          RETURNING updated_at),
       event AS (${eventInsertFrom(params, event, 'moved')} RETURNING 1)
       ${this.notificationFor(params, event, 'event')}
       SELECT updated_at FROM moved`,
      params.values,
    )) as { updated_at: Date }[];
    if (moved.length !== 1) {
      this.assertVersion(await this.load(manager, current.id), current.version);
      throw new Error(`case ${current.id} was not updated although its version matched`);
    }
    if (event.visibility === 'applicant') this.outbox.written(manager);
    // The row as updated, without reading it back: every column is either as loaded, set here, or
    // (updated_at) returned by the UPDATE.
    const updated = Object.assign(new CaseRecord(), current, change.set, {
      version: current.version + 1,
      eventCount: seq,
      lastEventHash: event.hash,
      updatedAt: moved[0]!.updated_at,
    });
    return { case: updated, event };
  }

  private buildEvent(
    caseId: string,
    seq: number,
    prevHash: string,
    change: {
      type: string;
      fromStatus: string | null;
      toStatus: string | null;
      actor: Actor;
      visibility: Visibility;
      payload: Record<string, unknown>;
      createdAt: Date;
    },
  ): CaseEvent {
    const event = Object.assign(new CaseEvent(), {
      caseId,
      seq,
      type: change.type,
      fromStatus: change.fromStatus,
      toStatus: change.toStatus,
      actorType: change.actor.type,
      actorId: change.actor.id ?? null,
      visibility: change.visibility,
      payload: change.payload,
      prevHash,
      createdAt: change.createdAt,
    });
    event.hash = eventHash(prevHash, event);
    return event;
  }

  /** For an event the applicant can see: the CTE that writes the outbox row notifying them, once `from` yields a row. */
  private notificationFor(params: SqlParams, event: CaseEvent, from: string): string {
    if (event.visibility !== 'applicant') return '';
    const { sql } = this.outbox.insertFor(
      params,
      CORE_JOBS.NotifyCaseEvent,
      { caseId: event.caseId, eventSeq: event.seq },
      { caseId: event.caseId, from },
    );
    return `, notify AS (${sql})`;
  }

  private seal(value: string | null | undefined, caseId: string, column: string): string | null {
    return value ? this.cipher.encrypt(value, `case.${column}:${caseId}`) : null;
  }

  private open(value: string | null, caseId: string, column: string): string | null {
    return value ? this.cipher.decrypt(value, `case.${column}:${caseId}`) : null;
  }
}
