import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CaseSpine, type CaseRecord } from '@app/cases';
import { Clock, DomainException, FieldCipher, RateLimiter } from '@app/platform';
import {
  addWorkingDays,
  type AnswerRules,
  type ApplicantAnswer,
  InformationRequests,
  type InformationRequestView,
  localParts,
} from '@app/review';
import { LegalisationErrors } from './errors.js';
import { feeFor, LEGALISATION_SETTINGS, type LegalisationSettings } from './settings.js';
import { AppointmentSlots, type FreeSlot } from './slots.js';
import type { ApplicantDetails, RequestItem, RequestOptions } from './validation.js';
import { legalisationMachine } from './legalisation.machine.js';

export interface PostSummary {
  code: string;
  nameEn: string;
  nameZh: string;
  timeZone: string;
}

export interface SubmissionInput {
  applicant: ApplicantDetails;
  items: RequestItem[];
  options: RequestOptions;
  postCode: string;
  slotId: string;
}

export interface SubmissionResult {
  caseId: string;
  reference: string;
  status: string;
  feeTwd: number;
  postCode: string;
  appointment: FreeSlot;
  slaDueAt: Date;
}

/** What the officer workspace, the status page and the subject access export show of a request, decrypted. */
export interface RequestView {
  caseId: string;
  reference: string;
  direction: string;
  serviceLevel: string;
  delivery: string;
  mailingAddress: string | null;
  feeTwd: number;
  certificateNumber: string | null;
  authenticatedOn: string | null;
  post: PostSummary;
  appointment: FreeSlot;
  items: RequestItem[];
  informationRequests: InformationRequestView[];
}

/** How this service's answers to requests for information are named, limited and recorded. */
const ANSWER_RULES: AnswerRules = {
  machine: legalisationMachine,
  eventType: 'legalisation.information_provided',
  notFoundCode: LegalisationErrors.INFORMATION_REQUEST_NOT_FOUND,
  rateLimitKey: 'legalisation-answer',
};

const today = (now: Date) => now.toISOString().slice(0, 10);

/**
 * Document authentication requests: submitted with their appointment in one transaction (case,
 * request, items, booking — all or nothing), looked at by officers and the status page, and answered
 * by the applicant when an officer asks for more.
 */
/** Where a submission comes from. */
export interface SubmissionSource {
  idempotencyKey?: string | null;
  /** The applicant's address, for the per-IP booking limit; null for calls that do not come from the internet. */
  clientIp: string | null;
}

@Injectable()
export class LegalisationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly spine: CaseSpine,
    private readonly cipher: FieldCipher,
    private readonly slots: AppointmentSlots,
    private readonly clock: Clock,
    private readonly limiter: RateLimiter,
    private readonly informationRequests: InformationRequests,
    @Inject(LEGALISATION_SETTINGS) readonly settings: LegalisationSettings,
  ) {}

  /** Posts that take documents for authentication, by code. */
  async posts(): Promise<PostSummary[]> {
    return (await this.dataSource.query(
      `SELECT code, name_en AS "nameEn", name_zh AS "nameZh", time_zone AS "timeZone" FROM post
        WHERE 'legalisation' = ANY (services) ORDER BY code`,
    )) as PostSummary[];
  }

  async post(code: string): Promise<PostSummary> {
    const found = (await this.posts()).find((p) => p.code === code);
    if (!found) throw new DomainException(LegalisationErrors.POST_NOT_OFFERING, 'This post does not authenticate documents.');
    return found;
  }

  today(): string {
    return today(this.clock.now());
  }

  /**
   * Opens the case SUBMITTED with its SLA from the service level's working days, books the slot and
   * writes the request and its items, in one transaction. With an Idempotency-Key, the same key
   * returns the first result; a key used for another request is refused. Each address may book
   * `bookingsPerIpPerDay` requests a day.
   */
  async submit(input: SubmissionInput, source: SubmissionSource): Promise<SubmissionResult> {
    const idempotencyKey = source.idempotencyKey ?? null;
    if (idempotencyKey) {
      const earlier = await this.byIdempotencyKey(idempotencyKey, input);
      if (earlier) return earlier;
    }
    // Every request holds a place at the counter: without a limit, one address could book out a post's week.
    if (source.clientIp) await this.limiter.consume(`legalisation-booking:${source.clientIp}`, this.settings.bookingsPerIpPerDay, 86_400);
    const post = await this.post(input.postCode);
    const feeTwd = feeFor(this.settings, input.options.serviceLevel, input.items);
    const now = this.clock.now();
    const slaDueAt = addWorkingDays(now, this.settings.feesTwd[input.options.serviceLevel].workingDays, post.timeZone, post.code);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const slot = await this.slots.book(manager, input.slotId, post.code);
        const opened = await this.spine.openCase(manager, {
          machine: legalisationMachine,
          status: 'SUBMITTED',
          postCode: post.code,
          locale: input.applicant.locale,
          applicant: {
            name: `${input.applicant.givenNames} ${input.applicant.surname}`,
            email: input.applicant.email,
            phone: input.applicant.phone || null,
          },
          lookup: { surname: input.applicant.surname, dateOfBirth: input.applicant.dateOfBirth },
          slaDueAt,
          at: now,
          actor: { type: 'applicant' },
          event: {
            type: 'legalisation.submitted',
            payload: {
              serviceLevel: input.options.serviceLevel,
              items: input.items.length,
              feeTwd,
              appointment: slot.startsAt.toISOString(),
            },
          },
        });
        await manager.query(
          `INSERT INTO legalisation_request (case_id, direction, service_level, delivery, mailing_address, fee_twd, slot_id, idempotency_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            opened.id,
            input.options.direction,
            input.options.serviceLevel,
            input.options.delivery,
            input.options.mailingAddress ? this.seal(input.options.mailingAddress, opened.id, 'mailing_address') : null,
            feeTwd,
            slot.id,
            idempotencyKey,
          ],
        );
        for (const [index, item] of input.items.entries()) {
          await manager.query(
            `INSERT INTO legalisation_item (case_id, position, document_type, issuing_country, originals, extra_copies, description)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [
              opened.id,
              index + 1,
              item.documentType,
              item.issuingCountry,
              item.originals,
              item.extraCopies,
              // A description names the person often enough ("birth certificate of …") to be sealed like a name.
              item.description ? this.sealIn('legalisation_item', 'description', `${opened.id}:${index + 1}`, item.description) : null,
            ],
          );
        }
        return {
          caseId: opened.id,
          reference: opened.reference,
          status: opened.status,
          feeTwd,
          postCode: post.code,
          appointment: this.slots.describe({ id: slot.id, starts_at: slot.startsAt }, post.timeZone),
          slaDueAt,
        };
      });
    } catch (error) {
      // Two requests with one key at once: the loser returns what the winner wrote.
      if (idempotencyKey && (error as { constraint?: string }).constraint === 'legalisation_request_idempotency_key_key') {
        const earlier = await this.byIdempotencyKey(idempotencyKey, input);
        if (earlier) return earlier;
      }
      throw error;
    }
  }

  async view(caseId: string, manager: EntityManager = this.dataSource.manager): Promise<RequestView | null> {
    const [row] = (await manager.query(
      `SELECT r.*, c.reference, s.starts_at, s.id::text AS slot, p.code, p.name_en, p.name_zh, p.time_zone,
              r.authenticated_on::text AS authenticated_on
         FROM legalisation_request r JOIN "case" c ON c.id = r.case_id JOIN appointment_slot s ON s.id = r.slot_id
         JOIN post p ON p.code = s.post_code
        WHERE r.case_id = $1`,
      [caseId],
    )) as Record<string, never>[];
    if (!row) return null;
    const items = (await manager.query(
      `SELECT position, document_type, issuing_country, originals, extra_copies, description FROM legalisation_item WHERE case_id = $1 ORDER BY position`,
      [caseId],
    )) as Record<string, never>[];
    const post: PostSummary = { code: row.code, nameEn: row.name_en, nameZh: row.name_zh, timeZone: row.time_zone };
    return {
      caseId,
      reference: row.reference,
      direction: row.direction,
      serviceLevel: row.service_level,
      delivery: row.delivery,
      mailingAddress: this.open(row.mailing_address, caseId, 'mailing_address'),
      feeTwd: row.fee_twd,
      certificateNumber: row.certificate_number,
      authenticatedOn: row.authenticated_on,
      post,
      appointment: this.slots.describe({ id: row.slot, starts_at: row.starts_at }, post.timeZone),
      items: items.map((item) => ({
        documentType: item.document_type,
        issuingCountry: item.issuing_country ?? '',
        originals: item.originals,
        extraCopies: item.extra_copies,
        description: this.openIn('legalisation_item', 'description', `${caseId}:${item.position}`, item.description) ?? '',
      })),
      informationRequests: await this.informationRequests.list(manager, caseId),
    };
  }

  /** A refused request no longer needs its place at the counter; a place already past stays counted. */
  async releaseAppointment(manager: EntityManager, caseId: string, now: Date): Promise<void> {
    await manager.query(
      `UPDATE appointment_slot s SET booked = s.booked - 1
         FROM legalisation_request r
        WHERE r.case_id = $1 AND s.id = r.slot_id AND s.starts_at > $2`,
      [caseId, now],
    );
  }

  /**
   * The applicant's answer to a request for information: found by reference, surname and date of
   * birth (a wrong one and an unknown reference get the same answer); moves INFO_REQUESTED → SUBMITTED.
   */
  answer(input: ApplicantAnswer, clientIp: string): Promise<CaseRecord> {
    return this.informationRequests.answer(input, clientIp, ANSWER_RULES);
  }

  /** The local date at a post (YYYY-MM-DD): the certificate's issue date. */
  localDate(timeZone: string, at: Date = this.clock.now()): string {
    const local = localParts(at, timeZone);
    return `${local.year}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
  }

  seal(value: string, caseId: string, column: string): string {
    return this.sealIn('legalisation_request', column, caseId, value);
  }

  open(value: string | null, caseId: string, column: string): string | null {
    return this.openIn('legalisation_request', column, caseId, value);
  }

  sealIn(table: string, column: string, rowId: string, value: string): string {
    return this.cipher.encrypt(value, `${table}.${column}:${rowId}`);
  }

  openIn(table: string, column: string, rowId: string, value: string | null): string | null {
    return value ? this.cipher.decrypt(value, `${table}.${column}:${rowId}`) : null;
  }

  private async byIdempotencyKey(key: string, input: SubmissionInput): Promise<SubmissionResult | null> {
    const [row] = (await this.dataSource.query(
      `SELECT r.case_id, r.slot_id::text AS slot_id, c.reference, c.status, c.post_code, c.sla_due_at, r.fee_twd
         FROM legalisation_request r JOIN "case" c ON c.id = r.case_id WHERE r.idempotency_key = $1`,
      [key],
    )) as { case_id: string; slot_id: string; reference: string; status: string; post_code: string; sla_due_at: Date; fee_twd: number }[];
    if (!row) return null;
    if (row.post_code !== input.postCode || row.slot_id !== input.slotId) {
      throw new DomainException(LegalisationErrors.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used for another request.');
    }
    const view = (await this.view(row.case_id))!;
    return {
      caseId: row.case_id,
      reference: row.reference,
      status: row.status,
      feeTwd: row.fee_twd,
      postCode: row.post_code,
      appointment: view.appointment,
      slaDueAt: row.sla_due_at,
    };
  }
}
