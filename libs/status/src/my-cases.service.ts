import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { describeEvent, describeStatus, EmailSender, isEmailAddress, mailDomainOf, maskEmail } from '@app/notifications';
import {
  APP_CONFIG,
  type AppConfig,
  BlindIndex,
  DomainException,
  type Locale,
  Messages,
  RateLimiter,
  RateLimitErrors,
  ValidationException,
} from '@app/platform';
import { StatusErrors } from './errors.js';

export const EMAIL_CODE = { digits: 6, ttlSeconds: 10 * 60, maxTries: 5 } as const;
export const MY_CASES_SESSION_SECONDS = 30 * 60;
const SEND_LIMITS = { perIp: { limit: 10, windowSeconds: 3600 }, perEmail: { limit: 5, windowSeconds: 3600 } };

export interface CodeRequested {
  proofId: string;
  maskedEmail: string;
  expiresAt: Date;
}

export interface MyCasesSessionGrant {
  token: string;
  expiresAt: Date;
}

export interface MyCase {
  caseId: string;
  reference: string;
  service: string;
  serviceName: string;
  status: string;
  statusLabel: string;
  updatedAt: Date;
}

export interface MyTimelineEntry {
  at: Date;
  caseId: string;
  reference: string;
  serviceName: string;
  label: string;
}

export interface MyCasesOverview {
  expiresAt: Date;
  cases: MyCase[];
  timeline: MyTimelineEntry[];
}

/**
 * "My cases": proving control of an email address with a one-time code (6 digits, 10 minutes,
 * 5 tries, single use, stored as a keyed hash), then a 30-minute session that lists every case
 * whose applicant email is that address (`case.applicant_email_index`), across all services.
 */
@Injectable()
export class MyCasesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly blindIndex: BlindIndex,
    private readonly limiter: RateLimiter,
    private readonly messages: Messages,
    private readonly email: EmailSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The same index CaseSpine.openCase writes for `applicant.email`. */
  emailIndex(address: string): string {
    return this.blindIndex.of('email', address.trim().toLowerCase());
  }

  async requestCode(emailInput: unknown, context: { ip: string; locale: Locale }): Promise<CodeRequested> {
    const t = this.messages.translator(context.locale);
    const address = typeof emailInput === 'string' ? emailInput.normalize('NFKC').trim() : '';
    if (!isEmailAddress(address))
      throw new ValidationException([{ field: 'email', messages: [t('myCases.error.email')] }], t('common.errorSummaryTitle'));
    const index = this.emailIndex(address);
    for (const [key, rule] of [
      [`mycases-ip:${context.ip}`, SEND_LIMITS.perIp],
      [`mycases-email:${index}`, SEND_LIMITS.perEmail],
    ] as const) {
      const hit = await this.limiter.hit(key, rule.limit, rule.windowSeconds);
      if (!hit.allowed) {
        throw new DomainException(RateLimitErrors.TOO_MANY_REQUESTS, t('myCases.tooMany'), { retryAfterSeconds: hit.retryAfterSeconds });
      }
    }
    const proofId = randomUUID();
    const code = String(randomInt(10 ** EMAIL_CODE.digits)).padStart(EMAIL_CODE.digits, '0');
    const [row] = (await this.dataSource.query(
      `INSERT INTO email_proof (id, email_index, code_hash, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))
       RETURNING expires_at AS "expiresAt"`,
      [proofId, index, this.codeHash(proofId, code), EMAIL_CODE.ttlSeconds],
    )) as { expiresAt: Date }[];
    try {
      await this.email.send({
        to: address,
        subject: t('myCases.email.subject'),
        text: [
          t('myCases.email.intro'),
          '',
          code,
          '',
          t('myCases.email.validity'),
          t('myCases.email.ignore'),
          '',
          t('notify.email.signature'),
        ].join('\n'),
        html: [
          `<!DOCTYPE html><html lang="${context.locale}"><body>`,
          `<p>${escapeHtml(t('myCases.email.intro'))}</p>`,
          `<p><strong>${code}</strong></p>`,
          `<p>${escapeHtml(t('myCases.email.validity'))}</p>`,
          `<p>${escapeHtml(t('myCases.email.ignore'))}</p>`,
          `<p>${escapeHtml(t('notify.email.signature'))}</p>`,
          `</body></html>`,
        ].join(''),
        messageId: `${proofId}@${mailDomainOf(this.config.mail.from)}`,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    } catch {
      await this.dataSource.query(`DELETE FROM email_proof WHERE id = $1`, [proofId]);
      throw new DomainException(StatusErrors.EMAIL_UNAVAILABLE, t('myCases.error.unavailable'));
    }
    return { proofId, maskedEmail: maskEmail(address), expiresAt: row!.expiresAt };
  }

  /**
   * Checks a code. Every try counts, right or wrong; from the 6th try on the code is locked,
   * whatever is typed. A right code is used up at once.
   */
  async verifyCode(proofIdInput: unknown, codeInput: unknown, locale: Locale): Promise<MyCasesSessionGrant> {
    const t = this.messages.translator(locale);
    const proofId = typeof proofIdInput === 'string' && /^[0-9a-f-]{36}$/i.test(proofIdInput) ? proofIdInput : null;
    const code = typeof codeInput === 'string' ? codeInput.normalize('NFKC').replace(/\s+/g, '') : '';
    if (!/^\d{6}$/.test(code))
      throw new ValidationException([{ field: 'code', messages: [t('myCases.error.codeFormat')] }], t('common.errorSummaryTitle'));
    // The try is counted in its own statement, so it sticks even when the code is wrong.
    const [proof] = proofId
      ? (
          (await this.dataSource.query(
            `UPDATE email_proof SET attempts = attempts + 1 WHERE id = $1 AND consumed_at IS NULL AND expires_at > now()
           RETURNING email_index AS "emailIndex", code_hash AS "codeHash", attempts`,
            [proofId],
          )) as [{ emailIndex: string; codeHash: string; attempts: number }[], number]
        )[0]
      : [];
    if (!proof) throw new DomainException(StatusErrors.EMAIL_CODE_INVALID, t('myCases.error.codeInvalid'));
    if (proof.attempts > EMAIL_CODE.maxTries) throw new DomainException(StatusErrors.EMAIL_CODE_LOCKED, t('myCases.error.codeLocked'));
    const expected = Buffer.from(proof.codeHash);
    const given = Buffer.from(this.codeHash(proofId!, code));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      const left = EMAIL_CODE.maxTries - proof.attempts;
      throw new ValidationException(
        [{ field: 'code', messages: [left > 0 ? t('myCases.error.codeWrong', { left }) : t('myCases.error.codeLocked')] }],
        t('common.errorSummaryTitle'),
      );
    }
    return this.dataSource.transaction(async (manager) => {
      // Single use: of two requests with the right code, only one consumes it.
      const [consumed] = (await manager.query(
        `UPDATE email_proof SET consumed_at = now() WHERE id = $1 AND consumed_at IS NULL RETURNING id`,
        [proofId],
      )) as [unknown[], number];
      if (consumed.length !== 1) throw new DomainException(StatusErrors.EMAIL_CODE_INVALID, t('myCases.error.codeInvalid'));
      const token = randomBytes(32).toString('base64url');
      const [session] = (await manager.query(
        `INSERT INTO my_cases_session (id, token_hash, email_index, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))
         RETURNING expires_at AS "expiresAt"`,
        [randomUUID(), sessionHash(token), proof.emailIndex, MY_CASES_SESSION_SECONDS],
      )) as { expiresAt: Date }[];
      return { token, expiresAt: session!.expiresAt };
    });
  }

  /** The email index behind a live session, or a 401 when the session is missing, ended or expired. */
  async session(token: unknown, locale: Locale): Promise<{ emailIndex: string; expiresAt: Date }> {
    const t = this.messages.translator(locale);
    const rows =
      typeof token === 'string' && token.length > 0 && token.length < 100
        ? ((await this.dataSource.query(
            `SELECT email_index AS "emailIndex", expires_at AS "expiresAt" FROM my_cases_session
              WHERE token_hash = $1 AND ended_at IS NULL AND expires_at > now()`,
            [sessionHash(token)],
          )) as { emailIndex: string; expiresAt: Date }[])
        : [];
    if (!rows[0]) throw new DomainException(StatusErrors.MY_CASES_SIGNED_OUT, t('myCases.signedOut'));
    return rows[0];
  }

  async overview(token: unknown, locale: Locale): Promise<MyCasesOverview> {
    const t = this.messages.translator(locale);
    const session = await this.session(token, locale);
    const cases = (await this.dataSource.query(
      `SELECT id AS "caseId", reference, service, status, updated_at AS "updatedAt" FROM "case"
        WHERE applicant_email_index = $1 ORDER BY updated_at DESC, reference`,
      [session.emailIndex],
    )) as Omit<MyCase, 'serviceName' | 'statusLabel'>[];
    const byId = new Map(cases.map((c) => [c.caseId, c]));
    const events = (await this.dataSource.query(
      `SELECT case_id AS "caseId", seq, type, to_status AS "toStatus", created_at AS "createdAt" FROM case_event
        WHERE case_id = ANY($1::uuid[]) AND visibility = 'applicant' ORDER BY created_at DESC, seq DESC LIMIT 200`,
      [cases.map((c) => c.caseId)],
    )) as { caseId: string; seq: number; type: string; toStatus: string | null; createdAt: Date }[];
    return {
      expiresAt: session.expiresAt,
      cases: cases.map((c) => ({
        ...c,
        serviceName: t(`service.${c.service}.name`),
        statusLabel: describeStatus(t, c.service, c.status).label,
      })),
      timeline: events.map((event) => {
        const owner = byId.get(event.caseId)!;
        return {
          at: event.createdAt,
          caseId: event.caseId,
          reference: owner.reference,
          serviceName: t(`service.${owner.service}.name`),
          label: describeEvent(t, owner.service, event),
        };
      }),
    };
  }

  /** The case id, once checked to belong to the session's address. */
  async caseOf(token: unknown, caseId: unknown, locale: Locale): Promise<string> {
    const session = await this.session(token, locale);
    const rows =
      typeof caseId === 'string' && /^[0-9a-f-]{36}$/i.test(caseId)
        ? ((await this.dataSource.query(`SELECT id FROM "case" WHERE id = $1 AND applicant_email_index = $2`, [
            caseId,
            session.emailIndex,
          ])) as {
            id: string;
          }[])
        : [];
    if (!rows[0]) throw new DomainException(StatusErrors.STATUS_NOT_FOUND, this.messages.translator(locale)('statusCheck.notFound'));
    return rows[0].id;
  }

  async signOut(token: unknown): Promise<void> {
    if (typeof token !== 'string' || token.length === 0 || token.length >= 100) return;
    await this.dataSource.query(`UPDATE my_cases_session SET ended_at = now() WHERE token_hash = $1 AND ended_at IS NULL`, [
      sessionHash(token),
    ]);
  }

  private codeHash(proofId: string, code: string): string {
    return this.blindIndex.of('email-proof', `${proofId}:${code}`);
  }
}

function sessionHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
