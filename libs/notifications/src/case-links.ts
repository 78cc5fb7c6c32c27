import type { SignedTokens } from '@app/platform';

/** The emailed link to a case: carries only the case id, signed, for 7 days. */
export const CASE_VIEW_LINK = { purpose: 'case-view', ttlSeconds: 7 * 24 * 3600 } as const;

/** The unsubscribe link in progress updates: long-lived, since old emails stay in inboxes. */
export const UNSUBSCRIBE_LINK = { purpose: 'case-unsubscribe', ttlSeconds: 365 * 24 * 3600 } as const;

export function caseViewUrl(tokens: SignedTokens, publicBaseUrl: string, caseId: string): string {
  return `${trimSlash(publicBaseUrl)}/status/link/${tokens.sign(CASE_VIEW_LINK.purpose, caseId, CASE_VIEW_LINK.ttlSeconds)}`;
}

export function unsubscribeUrl(tokens: SignedTokens, publicBaseUrl: string, caseId: string): string {
  return `${trimSlash(publicBaseUrl)}/status/unsubscribe/${tokens.sign(UNSUBSCRIBE_LINK.purpose, caseId, UNSUBSCRIBE_LINK.ttlSeconds)}`;
}

export function statusPageUrl(publicBaseUrl: string): string {
  return `${trimSlash(publicBaseUrl)}/status`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
