import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CaseRecord, Service } from '@app/cases';
import type { Locale, Translate } from '@app/platform';

/** A table shown on the applicant's status page, already in the reader's language. */
export interface CaseDetailsSection {
  heading: string;
  /** Column headings; every row has one cell per column. */
  columns: string[];
  rows: string[][];
  /** Shown instead of the table when there are no rows. */
  emptyText?: string;
}

/**
 * What a service library adds to the status page of its cases (ABTC: the clearance of each
 * economy). Only what the applicant may see: never identifiers or officers' notes.
 */
export interface CaseDetailsProvider {
  readonly service: Service;
  details(input: { manager: EntityManager; caseRecord: CaseRecord; locale: Locale; t: Translate }): Promise<CaseDetailsSection[]>;
}

/**
 * Where service libraries register their providers, typically in `onModuleInit` of their web
 * module: `constructor(private readonly registry: CaseDetailsRegistry) {}` then
 * `this.registry.register(new AbtcClearanceDetails(...))`. Provided by StatusModule (global).
 */
@Injectable()
export class CaseDetailsRegistry {
  private readonly providers: CaseDetailsProvider[] = [];

  register(provider: CaseDetailsProvider): void {
    this.providers.push(provider);
  }

  async sectionsFor(input: {
    manager: EntityManager;
    caseRecord: CaseRecord;
    locale: Locale;
    t: Translate;
  }): Promise<CaseDetailsSection[]> {
    const sections: CaseDetailsSection[] = [];
    for (const provider of this.providers.filter((p) => p.service === input.caseRecord.service)) {
      sections.push(...(await provider.details(input)));
    }
    return sections;
  }
}
