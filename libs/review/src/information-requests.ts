import { Injectable, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { type CaseRecord, CaseSpine, CasesModule, type StateMachine } from '@app/cases';
import {
  Clock,
  dateOfBirthFromParts,
  DomainException,
  FieldCipher,
  type FieldError,
  RateLimiter,
  type Translate,
  ValidationException,
} from '@app/platform';

export interface InformationRequestView {
  message: string | null;
  deadline: string;
  requestedAt: Date;
  answer: string | null;
  answeredAt: Date | null;
}

export interface ApplicantAnswer {
  reference: string;
  surname: string;
  dateOfBirth: string;
  answer: string;
}

/** What differs between the services that ask applicants for more: their own names for the same steps. */
export interface AnswerRules {
  /** The service's machine: names the service, and its case goes back from INFO_REQUESTED to SUBMITTED. */
  machine: StateMachine;
  /** The case event the answer writes, e.g. `passport.information_provided`. */
  eventType: string;
  /** The service's error code for "no open request for these details". */
  notFoundCode: string;
  /** The rate-limit key's prefix; the client's IP follows it. */
  rateLimitKey: string;
}

export type AnswerFormOutcome = { answered: true } | { answered: false; values: Record<string, unknown>; errors: FieldError[] };

const fieldText = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/**
 * The applicant's answer page, posted: reads the fields (the date of birth from its three boxes),
 * checks them with the service's own messages (`<messagePrefix>.err.reference`, `surnameRequired`,
 * `dateOfBirth`, `answer`, `answerNotFound`) and, when they hold, hands the answer to the service.
 * "No open request for these details" comes back as a field error, like any other.
 */
export async function submitAnswerForm(
  form: Record<string, unknown>,
  t: Translate,
  service: { messagePrefix: string; notFoundCode: string; answer: (answer: ApplicantAnswer) => Promise<unknown> },
): Promise<AnswerFormOutcome> {
  const values: ApplicantAnswer = {
    reference: fieldText(form.reference),
    surname: fieldText(form.surname),
    dateOfBirth: dateOfBirthFromParts(form),
    answer: fieldText(form.answer),
  };
  const message = (key: string) => [t(`${service.messagePrefix}.err.${key}`)];
  const errors: FieldError[] = [];
  if (!values.reference || values.reference.length > 20) errors.push({ field: 'reference', messages: message('reference') });
  if (!values.surname || values.surname.length > 100) errors.push({ field: 'surname', messages: message('surnameRequired') });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.dateOfBirth)) errors.push({ field: 'dateOfBirth', messages: message('dateOfBirth') });
  if (!values.answer || values.answer.length > 2000) errors.push({ field: 'answer', messages: message('answer') });
  if (!errors.length) {
    try {
      await service.answer(values);
      return { answered: true };
    } catch (error) {
      if (!(error instanceof DomainException) || error.code !== service.notFoundCode) throw error;
      errors.push({ field: 'reference', messages: message('answerNotFound') });
    }
  }
  // The form as typed, the three date fields included.
  return { answered: false, values: { ...form, ...values }, errors };
}

/** The JSON API's answer body (dateOfBirth as YYYY-MM-DD), with a field error for each missing or over-long field. */
export function readAnswerBody(body: Record<string, unknown>): ApplicantAnswer {
  const values: ApplicantAnswer = {
    reference: fieldText(body.reference),
    surname: fieldText(body.surname),
    dateOfBirth: fieldText(body.dateOfBirth),
    answer: fieldText(body.answer),
  };
  const errors = Object.entries(values)
    .filter(([field, value]) => !value || value.length > (field === 'answer' ? 2000 : 100))
    .map(([field]) => ({ field, messages: [`Enter ${field}.`] }));
  if (errors.length) throw new ValidationException(errors);
  return values;
}

/** Per IP: answering a request for information needs the reference, surname and date of birth, like the status check. */
const ANSWERS_PER_MINUTE = 10;

/**
 * An officer's requests for information and the applicant's answers, for the services that pause a
 * case in INFO_REQUESTED (passports, document authentication): one `information_request` table,
 * message and answer encrypted (FieldCipher, `information_request.<column>:<id>`).
 */
@Injectable()
export class InformationRequests {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
    private readonly limiter: RateLimiter,
  ) {}

  /** Records what the officer asked, in the decision's transaction. */
  async record(manager: EntityManager, caseId: string, message: string, deadline: string): Promise<void> {
    const id = randomUUID();
    await manager.query(`INSERT INTO information_request (id, case_id, message, deadline, requested_at) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      caseId,
      this.seal('message', id, message),
      deadline,
      this.clock.now(),
    ]);
  }

  /** A case's requests and answers, oldest first, decrypted. */
  async list(manager: EntityManager, caseId: string): Promise<InformationRequestView[]> {
    const rows = (await manager.query(
      `SELECT id, message, deadline::text AS deadline, requested_at, answer, answered_at FROM information_request
        WHERE case_id = $1 ORDER BY requested_at`,
      [caseId],
    )) as { id: string; message: string | null; deadline: string; requested_at: Date; answer: string | null; answered_at: Date | null }[];
    return rows.map((row) => ({
      message: this.open('message', row.id, row.message),
      deadline: row.deadline,
      requestedAt: row.requested_at,
      answer: this.open('answer', row.id, row.answer),
      answeredAt: row.answered_at,
    }));
  }

  /**
   * The applicant's answer to a request for information: found by reference, surname and date of
   * birth (a wrong one and an unknown reference get the same answer); moves INFO_REQUESTED → SUBMITTED.
   */
  async answer(input: ApplicantAnswer, clientIp: string, rules: AnswerRules): Promise<CaseRecord> {
    await this.limiter.consume(`${rules.rateLimitKey}:${clientIp}`, ANSWERS_PER_MINUTE, 60);
    const reference = input.reference.trim().toUpperCase();
    const notFound = new DomainException(
      rules.notFoundCode,
      'We found no request for information for these details. Check the reference, surname and date of birth.',
    );
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(`SELECT id FROM "case" WHERE reference = $1 AND service = $2 AND lookup_key = $3 FOR UPDATE`, [
        reference,
        rules.machine.service,
        this.spine.lookupKey(reference, input.surname, input.dateOfBirth),
      ])) as { id: string }[];
      if (!row) throw notFound;
      const current = await this.spine.load(manager, row.id);
      const [open] = (await manager.query(
        `SELECT id FROM information_request WHERE case_id = $1 AND answered_at IS NULL ORDER BY requested_at DESC LIMIT 1`,
        [current.id],
      )) as { id: string }[];
      if (current.status !== 'INFO_REQUESTED' || !open) throw notFound;
      await manager.query(`UPDATE information_request SET answer = $2, answered_at = $3 WHERE id = $1`, [
        open.id,
        this.seal('answer', open.id, input.answer),
        this.clock.now(),
      ]);
      const { case: moved } = await this.spine.transition(manager, {
        machine: rules.machine,
        caseId: current.id,
        expectedVersion: current.version,
        current,
        to: 'SUBMITTED',
        actor: { type: 'applicant' },
        type: rules.eventType,
        visibility: 'applicant',
        // Back in the queue for whoever claims it next.
        set: { assignedOfficerId: null, claimExpiresAt: null },
      });
      return moved;
    });
  }

  /** For the retention job: the texts go, the dates stay. */
  async erase(manager: EntityManager, caseId: string): Promise<void> {
    await manager.query(`UPDATE information_request SET message = NULL, answer = NULL WHERE case_id = $1`, [caseId]);
  }

  private seal(column: 'message' | 'answer', id: string, value: string): string {
    return this.cipher.encrypt(value, `information_request.${column}:${id}`);
  }

  private open(column: 'message' | 'answer', id: string, value: string | null): string | null {
    return value ? this.cipher.decrypt(value, `information_request.${column}:${id}`) : null;
  }
}

/** Requests for information on their own, for the service libraries' core modules (API and worker). */
@Module({ imports: [CasesModule], providers: [InformationRequests], exports: [InformationRequests] })
export class InformationRequestsModule {}
