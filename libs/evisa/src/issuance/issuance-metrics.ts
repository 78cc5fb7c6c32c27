import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Metrics } from '@app/platform';
import { RENDER_GRACE_MS } from '../jobs/lost-render-recovery.js';
import { EVISA_DOCUMENT_KIND } from '../jobs/render-evisa.handler.js';

/**
 * `evisa_approved_without_document`, computed from the database when Prometheus scrapes the API
 * (the worker serves no /metrics): eVisas approved longer ago than the render's grace period that
 * still have no document. The worker re-queues their render; an alert on this staying above 0 says
 * that did not help (it reads only APPROVED cases, through their partial index).
 */
@Injectable()
export class EvisaIssuanceMetrics {
  constructor(metrics: Metrics, dataSource: DataSource) {
    metrics.gauge(
      'evisa_approved_without_document',
      'eVisa cases approved more than 15 minutes ago whose PDF has not been made (the worker re-queues their render)',
      [],
      async (gauge) => {
        const [row] = (await dataSource.query(
          `SELECT count(*)::int AS n FROM "case" c
            WHERE c.status = 'APPROVED' AND c.service = 'evisa' AND c.decided_at < now() - $1::bigint * interval '1 millisecond'
              AND NOT EXISTS (SELECT 1 FROM generated_document d WHERE d.case_id = c.id AND d.kind = $2 AND d.locale = c.locale)`,
          [RENDER_GRACE_MS, EVISA_DOCUMENT_KIND],
        )) as { n: number }[];
        gauge.set(row?.n ?? 0);
      },
    );
  }
}
