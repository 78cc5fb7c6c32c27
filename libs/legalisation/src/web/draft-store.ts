import { type ApplicantDrafts, applicantDraftsProvider } from '@app/cases';
import { LEGALISATION_SETTINGS } from '../settings.js';
import type { ApplicantDetails, RequestItem, RequestOptions } from '../validation.js';

/** What the applicant has answered so far; kept encrypted on the server, never in the browser. */
export interface LegalisationDraft {
  applicant?: ApplicantDetails;
  items: RequestItem[];
  options?: RequestOptions;
  postCode?: string;
  slotId?: string;
}

export type LegalisationDrafts = ApplicantDrafts<LegalisationDraft>;
export const LEGALISATION_DRAFTS = Symbol('LEGALISATION_DRAFTS');

export const legalisationDraftsProvider = applicantDraftsProvider<LegalisationDraft>(
  LEGALISATION_DRAFTS,
  LEGALISATION_SETTINGS,
  'legalisation',
  () => ({ items: [] }),
);
