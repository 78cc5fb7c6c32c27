import { type ApplicantDrafts, applicantDraftsProvider } from '@app/cases';
import { PASSPORT_SETTINGS, type PassportKind } from '../settings.js';
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

export type PassportDrafts = ApplicantDrafts<PassportDraft>;
export const PASSPORT_DRAFTS = Symbol('PASSPORT_DRAFTS');

export const passportDraftsProvider = applicantDraftsProvider<PassportDraft>(PASSPORT_DRAFTS, PASSPORT_SETTINGS, 'passport', () => ({}));
