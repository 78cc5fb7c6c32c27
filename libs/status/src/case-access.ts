import { Injectable } from '@nestjs/common';
import { BlindIndex, SignedTokens } from '@app/platform';
import { CASE_VIEW_LINK, UNSUBSCRIBE_LINK } from '@app/notifications';

/** Proof, carried in POST bodies, that the holder opened this case a moment ago (look-up, emailed link or "my cases"). */
export const CASE_ACCESS = { purpose: 'case-access', ttlSeconds: 30 * 60 } as const;
/** A document download link on the status page. */
export const DOCUMENT_LINK = { purpose: 'case-document', ttlSeconds: 30 * 60 } as const;

/**
 * The signed tokens of the citizen side. They carry only an id (case or document), never what
 * the person typed, so they may appear in a link.
 */
@Injectable()
export class CaseAccess {
  constructor(
    private readonly tokens: SignedTokens,
    private readonly blindIndex: BlindIndex,
  ) {}

  grant(caseId: string): string {
    return this.tokens.sign(CASE_ACCESS.purpose, caseId, CASE_ACCESS.ttlSeconds);
  }

  caseIdFromAccess(token: unknown): string {
    return this.tokens.verify(token as string, CASE_ACCESS.purpose).subject;
  }

  caseIdFromEmailLink(token: unknown): string {
    return this.tokens.verify(token as string, CASE_VIEW_LINK.purpose).subject;
  }

  caseIdFromUnsubscribeLink(token: unknown): string {
    return this.tokens.verify(token as string, UNSUBSCRIBE_LINK.purpose).subject;
  }

  documentUrl(documentId: string): string {
    return `/status/documents/${this.tokens.sign(DOCUMENT_LINK.purpose, documentId, DOCUMENT_LINK.ttlSeconds)}`;
  }

  documentIdFrom(token: unknown): string {
    return this.tokens.verify(token as string, DOCUMENT_LINK.purpose).subject;
  }

  /** Keyed hash of an IP address for the logs: lets abuse be correlated without keeping addresses. */
  ipHash(ip: string): string {
    return this.blindIndex.of('client-ip', ip);
  }
}
