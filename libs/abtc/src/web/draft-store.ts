import { type ApplicantDrafts, applicantDraftsProvider } from '@app/cases';
import { ABTC_SETTINGS } from '../settings.js';
import type { ApplicantDetails, BusinessDetails, PassportDetails } from '../validation.js';

/** What the applicant has answered so far; kept encrypted on the server, never in the browser. */
export interface AbtcDraft {
  applicant?: ApplicantDetails;
  passport?: PassportDetails;
  business?: BusinessDetails;
}

export type AbtcDrafts = ApplicantDrafts<AbtcDraft>;
export const ABTC_DRAFTS = Symbol('ABTC_DRAFTS');

export const abtcDraftsProvider = applicantDraftsProvider<AbtcDraft>(ABTC_DRAFTS, ABTC_SETTINGS, 'abtc', () => ({}));
