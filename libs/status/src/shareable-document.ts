import type { ServiceDefinition, ShareableDocumentInput, SharedDocumentView } from '@app/cases';
import { describeStatus } from '@app/notifications';

/** Whether a case's documents are issued and valid in its current status, so the holder may list and share them. */
export function documentsValid(service: Pick<ServiceDefinition, 'documentsValidIn'>, status: string): boolean {
  return (service.documentsValidIn as readonly string[]).includes(status);
}

/** What a share code shows of a service without a ShareableDocumentPort: the service, the reference, the status and the issue date. */
export function genericPublicView({ caseRecord, document, t }: ShareableDocumentInput, valid: boolean): SharedDocumentView {
  return {
    title: t(`statusCheck.document.${document.kind}`),
    valid,
    validFrom: document.createdAt,
    validUntil: null,
    fields: [
      { label: t('shareCode.field.service'), value: t(`service.${caseRecord.service}.name`) },
      { label: t('shareCode.field.reference'), value: caseRecord.reference },
      { label: t('shareCode.field.status'), value: describeStatus(t, caseRecord.service, caseRecord.status).label },
    ],
  };
}
