import type { FactoryProvider, InjectionToken } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock, DomainException, FieldCipher, SignedTokens } from '@app/platform';
import type { ServiceId } from './catalogue/service-definition.js';

export interface ApplicantDraftOptions<T> {
  /** Tags the rows and names the token purposes (`<service>-draft`, `<service>-confirmation`). */
  service: ServiceId;
  lifetimeSeconds: number;
  /** What a visitor without a (live) draft starts from. */
  empty: () => T;
}

/**
 * A page journey's state: a row per visitor in `applicant_draft` holding the answers encrypted
 * (FieldCipher), found through a signed token in an HttpOnly cookie. Expired drafts are never read
 * again and are deleted when a new one starts.
 */
export class ApplicantDrafts<T> {
  private readonly draftPurpose: string;
  private readonly confirmationPurpose: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: FieldCipher,
    private readonly tokens: SignedTokens,
    private readonly clock: Clock,
    private readonly options: ApplicantDraftOptions<T>,
  ) {
    this.draftPurpose = `${options.service}-draft`;
    this.confirmationPurpose = `${options.service}-confirmation`;
  }

  get lifetimeSeconds(): number {
    return this.options.lifetimeSeconds;
  }

  /** The draft behind a cookie's token, or an empty one when there is none (or it expired). */
  async read(token: string | undefined): Promise<{ id: string | null; draft: T }> {
    const id = this.verify(token, this.draftPurpose);
    if (id) {
      const [row] = (await this.dataSource.query(`SELECT data FROM applicant_draft WHERE id = $1 AND service = $2 AND expires_at > $3`, [
        id,
        this.options.service,
        this.clock.now(),
      ])) as { data: string }[];
      if (row) return { id, draft: JSON.parse(this.cipher.decrypt(row.data, `applicant_draft.data:${id}`)) as T };
    }
    return { id: null, draft: this.options.empty() };
  }

  /** Saves the draft; returns the token for the cookie (a new draft gets a new id). */
  async write(id: string | null, draft: T): Promise<string> {
    const draftId = id ?? randomUUID();
    // Abandoned drafts hold personal data: each new one clears those past their lifetime.
    if (!id) await this.dataSource.query(`DELETE FROM applicant_draft WHERE expires_at <= $1`, [this.clock.now()]);
    const expiresAt = new Date(this.clock.now().getTime() + this.lifetimeSeconds * 1000);
    await this.dataSource.query(
      `INSERT INTO applicant_draft (id, service, data, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
      [draftId, this.options.service, this.cipher.encrypt(JSON.stringify(draft), `applicant_draft.data:${draftId}`), expiresAt],
    );
    return this.tokens.sign(this.draftPurpose, draftId, this.lifetimeSeconds);
  }

  async remove(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM applicant_draft WHERE id = $1`, [id]);
  }

  confirmationToken(caseId: string): string {
    return this.tokens.sign(this.confirmationPurpose, caseId, 3600);
  }

  caseIdOf(token: string | undefined): string | null {
    return this.verify(token, this.confirmationPurpose);
  }

  private verify(token: string | undefined, purpose: string): string | null {
    if (!token) return null;
    try {
      return this.tokens.verify(token, purpose).subject;
    } catch (error) {
      if (error instanceof DomainException) return null;
      throw error;
    }
  }
}

/**
 * A service's typed draft store, as a Nest provider: its answers' type, the service that tags its rows
 * and names its token purposes, and the lifetime from the service's settings (`draftLifetimeHours`).
 */
export function applicantDraftsProvider<T>(
  provide: InjectionToken,
  settingsToken: InjectionToken,
  service: ServiceId,
  empty: () => T,
): FactoryProvider<ApplicantDrafts<T>> {
  return {
    provide,
    inject: [DataSource, FieldCipher, SignedTokens, Clock, settingsToken],
    useFactory: (
      dataSource: DataSource,
      cipher: FieldCipher,
      tokens: SignedTokens,
      clock: Clock,
      settings: { draftLifetimeHours: number },
    ) => new ApplicantDrafts(dataSource, cipher, tokens, clock, { service, lifetimeSeconds: settings.draftLifetimeHours * 3600, empty }),
  };
}
