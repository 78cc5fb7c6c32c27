import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CaseRecord, GeneratedDocument, Service } from '@app/cases';
import type { Locale, Translate } from '@app/platform';
import { describeStatus } from '@app/notifications';

/** Statuses in which a case's documents are issued and valid, so the holder may share them. */
export const ISSUED_STATUSES: Readonly<Record<Service, readonly string[]>> = {
  evisa: ['ISSUED'],
  passport: ['DISPATCHED', 'READY_FOR_PICKUP', 'COLLECTED'],
  legalisation: ['AUTHENTICATED', 'READY_FOR_PICKUP', 'MAILED', 'COMPLETED'],
  abtc: ['ISSUED'],
  emergency: [],
};

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
 * Per service: the fields the document itself shows (an eVisa: name, nationality, validity,
 * entries) and its validity, for a third party holding a share code. Nothing the document does
 * not print. Register in ShareableDocumentRegistry; without one, the generic fallback shows
 * the service, the reference, the status and the issue date only.
 */
export interface ShareableDocumentProvider {
  readonly service: Service;
  publicView(input: ShareableDocumentInput): Promise<SharedDocumentView>;
}

@Injectable()
export class ShareableDocumentRegistry {
  private readonly providers = new Map<Service, ShareableDocumentProvider>();

  register(provider: ShareableDocumentProvider): void {
    this.providers.set(provider.service, provider);
  }

  async publicView(input: ShareableDocumentInput): Promise<SharedDocumentView> {
    const provider = this.providers.get(input.caseRecord.service);
    return provider ? provider.publicView(input) : genericPublicView(input);
  }
}

export function genericPublicView({ caseRecord, document, t }: ShareableDocumentInput): SharedDocumentView {
  return {
    title: t(`statusCheck.document.${document.kind}`),
    valid: ISSUED_STATUSES[caseRecord.service].includes(caseRecord.status),
    validFrom: document.createdAt,
    validUntil: null,
    fields: [
      { label: t('shareCode.field.service'), value: t(`service.${caseRecord.service}.name`) },
      { label: t('shareCode.field.reference'), value: caseRecord.reference },
      { label: t('shareCode.field.status'), value: describeStatus(t, caseRecord.service, caseRecord.status).label },
    ],
  };
}
