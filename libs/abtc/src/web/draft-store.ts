import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock, DomainException, FieldCipher, SignedTokens } from '@app/platform';
import { ABTC_SETTINGS, type AbtcSettings } from '../settings.js';
import type { ApplicantDetails, BusinessDetails, PassportDetails } from '../validation.js';

/** What the applicant has answered so far; kept encrypted on the server, never in the browser. */
export interface AbtcDraft {
  applicant?: ApplicantDetails;
  passport?: PassportDetails;
  business?: BusinessDetails;
}

const DRAFT_PURPOSE = 'abtc-draft';
const CONFIRMATION_PURPOSE = 'abtc-confirmation';

/**
 * The page journey's state: a row per visitor holding the answers encrypted (FieldCipher), found
 * through a signed token in an HttpOnly cookie. Expired drafts are never read again and are
 * deleted when a new one starts.
 */
@Injectable()
export class AbtcDraftStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: FieldCipher,
    private readonly tokens: SignedTokens,
    private readonly clock: Clock,
    @Inject(ABTC_SETTINGS) private readonly settings: AbtcSettings,
  ) {}

  get lifetimeSeconds(): number {
    return this.settings.draftLifetimeHours * 3600;
  }

  async read(token: string | undefined): Promise<{ id: string | null; draft: AbtcDraft }> {
    const id = this.verify(token, DRAFT_PURPOSE);
    if (id) {
      const [row] = (await this.dataSource.query(`SELECT data FROM abtc_draft WHERE id = $1 AND expires_at > $2`, [
        id,
        this.clock.now(),
      ])) as {
        data: string;
      }[];
      if (row) return { id, draft: JSON.parse(this.cipher.decrypt(row.data, `abtc_draft.data:${id}`)) as AbtcDraft };
    }
    return { id: null, draft: {} };
  }

  /** Saves the draft; returns the token for the cookie (a new draft gets a new id). */
  async write(id: string | null, draft: AbtcDraft): Promise<string> {
    const draftId = id ?? randomUUID();
    if (!id) await this.dataSource.query(`DELETE FROM abtc_draft WHERE expires_at <= $1`, [this.clock.now()]);
    const expiresAt = new Date(this.clock.now().getTime() + this.lifetimeSeconds * 1000);
    await this.dataSource.query(
      `INSERT INTO abtc_draft (id, data, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
      [draftId, this.cipher.encrypt(JSON.stringify(draft), `abtc_draft.data:${draftId}`), expiresAt],
    );
    return this.tokens.sign(DRAFT_PURPOSE, draftId, this.lifetimeSeconds);
  }

  async remove(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM abtc_draft WHERE id = $1`, [id]);
  }

  confirmationToken(caseId: string): string {
    return this.tokens.sign(CONFIRMATION_PURPOSE, caseId, 3600);
  }

  caseIdOf(token: string | undefined): string | null {
    return this.verify(token, CONFIRMATION_PURPOSE);
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
