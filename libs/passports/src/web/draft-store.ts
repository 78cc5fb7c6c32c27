import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock, DomainException, FieldCipher, SignedTokens } from '@app/platform';
import { PASSPORT_SETTINGS, type PassportSettings } from '../settings.js';
import type { PassportKind } from '../settings.js';
import type { PassportIdentity, PreviousPassport } from '../validation.js';

/** What the applicant has answered so far; kept encrypted on the server, never in the browser. */
export interface PassportDraft {
  kind?: PassportKind;
  identity?: PassportIdentity;
  /** The checked, re-encoded photo (base64): it is personal data, so it waits encrypted with the rest. */
  photo?: { base64: string; mimeType: 'image/jpeg' | 'image/png' };
  previous?: PreviousPassport;
  postCode?: string;
}

const DRAFT_PURPOSE = 'passport-draft';
const CONFIRMATION_PURPOSE = 'passport-confirmation';

/**
 * The page journey's state: a row per visitor holding the answers encrypted (FieldCipher), found
 * through a signed token in an HttpOnly cookie. Expired drafts are simply never read again.
 */
@Injectable()
export class DraftStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: FieldCipher,
    private readonly tokens: SignedTokens,
    private readonly clock: Clock,
    @Inject(PASSPORT_SETTINGS) private readonly settings: PassportSettings,
  ) {}

  get lifetimeSeconds(): number {
    return this.settings.draftLifetimeHours * 3600;
  }

  /** The draft behind a cookie's token, or an empty one when there is none (or it expired). */
  async read(token: string | undefined): Promise<{ id: string | null; draft: PassportDraft }> {
    const id = this.idOf(token);
    if (id) {
      const [row] = (await this.dataSource.query(`SELECT data FROM passport_draft WHERE id = $1 AND expires_at > $2`, [
        id,
        this.clock.now(),
      ])) as { data: string }[];
      if (row) return { id, draft: JSON.parse(this.cipher.decrypt(row.data, `passport_draft.data:${id}`)) as PassportDraft };
    }
    return { id: null, draft: {} };
  }

  /** Saves the draft; returns the token for the cookie (a new draft gets a new id). */
  async write(id: string | null, draft: PassportDraft): Promise<string> {
    const draftId = id ?? randomUUID();
    // Abandoned drafts hold personal data: each new one clears those past their lifetime.
    if (!id) await this.dataSource.query(`DELETE FROM passport_draft WHERE expires_at <= $1`, [this.clock.now()]);
    const expiresAt = new Date(this.clock.now().getTime() + this.lifetimeSeconds * 1000);
    await this.dataSource.query(
      `INSERT INTO passport_draft (id, data, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
      [draftId, this.cipher.encrypt(JSON.stringify(draft), `passport_draft.data:${draftId}`), expiresAt],
    );
    return this.tokens.sign(DRAFT_PURPOSE, draftId, this.lifetimeSeconds);
  }

  async remove(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM passport_draft WHERE id = $1`, [id]);
  }

  confirmationToken(caseId: string): string {
    return this.tokens.sign(CONFIRMATION_PURPOSE, caseId, 3600);
  }

  caseIdOf(token: string | undefined): string | null {
    return this.verify(token, CONFIRMATION_PURPOSE);
  }

  private idOf(token: string | undefined): string | null {
    return this.verify(token, DRAFT_PURPOSE);
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
