import type { EntityManager } from 'typeorm';
import type { AuthenticatedOfficer, Locale, Translate } from '@app/platform';
import type { CaseRecord } from '../entities/case.entity.js';
import type { GeneratedDocument } from '../entities/generated-document.entity.js';
import type { DecisionAction } from '../state-machines/state-machine.js';

/*
 * The ports through which the shared libraries reach a service without naming it. A service's
 * definition names the Nest provider class that implements each; the catalogue resolves them.
 */

/**
 * What a service library holds about the applicant of one of its cases, beyond the case spine's
 * contact columns and files. Required of every service: retention and subject access exports must
 * reach all personal data.
 */
export interface PersonalDataPort {
  /**
   * Clears the service's personal data of a closed case, in the caller's transaction. Rows stay
   * (history and statistics point at them); their personal columns are emptied. References to the
   * case's files must be cleared here: the caller deletes every file of the case afterwards.
   */
  erase(manager: EntityManager, caseId: string): Promise<void>;
  /** Everything the service holds about the applicant of a case, decrypted, for a subject access request. */
  export(manager: EntityManager, caseId: string): Promise<Record<string, unknown>>;
}

/** A table shown on the applicant's status page, already in the reader's language. */
export interface CaseDetailsSection {
  heading: string;
  /** Column headings; every row has one cell per column. */
  columns: string[];
  rows: string[][];
  /** Shown instead of the table when there are no rows. */
  emptyText?: string;
}

export interface CaseDetailsInput {
  manager: EntityManager;
  caseRecord: CaseRecord;
  locale: Locale;
  t: Translate;
}

/**
 * What a service adds to the status page of its cases (ABTC: the clearance of each economy). Only
 * what the applicant may see: never identifiers or officers' notes.
 */
export interface StatusDetailsPort {
  details(input: CaseDetailsInput): Promise<CaseDetailsSection[]>;
}

export interface PublicField {
  label: string;
  value: string;
}

/** What a third party with a share code sees: whether the document is valid, and what it shows. */
export interface SharedDocumentView {
  title: string;
  valid: boolean;
  validFrom: Date | null;
  validUntil: Date | null;
  fields: PublicField[];
}

export interface ShareableDocumentInput {
  manager: EntityManager;
  caseRecord: CaseRecord;
  document: GeneratedDocument;
  locale: Locale;
  t: Translate;
}

/**
 * The fields a service's document itself shows (an eVisa: name, nationality, validity, entries) and
 * its validity, for a third party holding a share code. Nothing the document does not print.
 * Without one, the status library's generic view shows the service, reference, status and issue date.
 */
export interface ShareableDocumentPort {
  publicView(input: ShareableDocumentInput): Promise<SharedDocumentView>;
}

export interface DecisionInput {
  action: DecisionAction;
  /** The case version the officer saw; anything else is a VERSION_CONFLICT. */
  expectedVersion: number;
  reasonCode?: string;
  text?: string;
  /** For a request for information: the day by which the applicant must answer (YYYY-MM-DD). */
  deadline?: string;
}

export interface DecisionContext {
  manager: EntityManager;
  officer: AuthenticatedOfficer;
  current: CaseRecord;
  input: DecisionInput;
  to: string;
  now: Date;
  leaseUntil: Date;
}

/** A decision that needs more than a status change (the eVisa assigns a visa number and queues its PDF). */
export type DecisionHandler = (context: DecisionContext) => Promise<CaseRecord>;

export interface WorkspaceDetail {
  labelKey: string;
  value: string;
}

/** An officer page of the service for this case (the eVisa's revocation, for example). */
export interface WorkspaceLink {
  href: string;
  labelKey: string;
}

export interface WorkspaceExtras {
  details: WorkspaceDetail[];
  links: WorkspaceLink[];
}

/**
 * How a service shows its cases to officers in the review workspace and decides them. `workspace`
 * gives the service's answers, already decrypted, with coded answers put into words by `t`, in the
 * officer's language. A decision without a handler is a plain transition to the machine's target.
 */
export interface ReviewPort {
  workspace(caseId: string, status: string, t: Translate): Promise<WorkspaceExtras>;
  readonly decisions: Partial<Record<DecisionAction, DecisionHandler>>;
}
