import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { verifyCaseChain } from '@app/cases';

/**
 * A database-wide consistency check, for after fuzzing or a crash: returns every problem found,
 * as readable lines (an empty list means the data is whole).
 * - every case has its events: event_count and last_event_hash match the chain, which verifies;
 * - no event, outbox row, file or eVisa row points at a missing case (also the outbox payload's caseId);
 * - every stored file belongs to a case and is referenced by what it was stored for (no file row
 *   left behind by a replaced upload or a lost race), and — given the storage folder — its bytes
 *   are there with the recorded size and sha256;
 * - every eVisa case has its application, except drafts purged or withdrawn before submission;
 *   every submitted one has its submission event and the notification outbox row for it.
 */
export async function integrityProblems(dataSource: DataSource, storageDir?: string): Promise<string[]> {
  const problems: string[] = [];
  const rows = async <T>(sql: string, params: unknown[] = []) => (await dataSource.query(sql, params)) as T[];
  const report = (label: string, found: Record<string, unknown>[]) => {
    for (const row of found) problems.push(`${label}: ${JSON.stringify(row)}`);
  };

  report(
    'case without events',
    await rows(
      `SELECT c.id, c.event_count FROM "case" c WHERE c.event_count < 1 OR NOT EXISTS (SELECT 1 FROM case_event e WHERE e.case_id = c.id)`,
    ),
  );
  report(
    'event count differs',
    await rows(
      `SELECT c.id, c.event_count, count(e.id)::int AS events FROM "case" c LEFT JOIN case_event e ON e.case_id = c.id
        GROUP BY c.id HAVING c.event_count <> count(e.id)`,
    ),
  );
  report(
    'event without case',
    await rows(`SELECT e.id, e.case_id FROM case_event e LEFT JOIN "case" c ON c.id = e.case_id WHERE c.id IS NULL`),
  );
  report(
    'outbox row without case',
    await rows(
      `SELECT o.id, o.job_name, o.case_id, o.payload->>'caseId' AS payload_case FROM outbox o
        WHERE (o.case_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "case" c WHERE c.id = o.case_id))
           OR (o.payload ? 'caseId' AND NOT EXISTS (SELECT 1 FROM "case" c WHERE c.id::text = o.payload->>'caseId'))`,
    ),
  );
  report(
    'notification outbox row for a missing event',
    await rows(
      `SELECT o.id, o.payload FROM outbox o WHERE o.job_name = 'notify-case-event' AND NOT EXISTS (
         SELECT 1 FROM case_event e WHERE e.case_id::text = o.payload->>'caseId' AND e.seq::text = o.payload->>'eventSeq')`,
    ),
  );
  report(
    'applicant-visible event without its notification',
    await rows(
      `SELECT e.case_id, e.seq, e.type FROM case_event e WHERE e.visibility = 'applicant' AND NOT EXISTS (
         SELECT 1 FROM outbox o WHERE o.job_name = 'notify-case-event'
            AND o.payload->>'caseId' = e.case_id::text AND o.payload->>'eventSeq' = e.seq::text)`,
    ),
  );
  report('file without case', await rows(`SELECT f.id, f.kind FROM file f WHERE f.case_id IS NULL`));
  report(
    'file not referenced by what it was stored for',
    await rows(
      `SELECT f.id, f.kind, f.case_id FROM file f WHERE
         (f.kind = 'evisa-photo' AND NOT EXISTS (SELECT 1 FROM evisa_application a WHERE a.photo_file_id = f.id AND a.case_id = f.case_id))
      OR (f.kind = 'evisa-passport-page' AND NOT EXISTS (SELECT 1 FROM evisa_application a WHERE a.passport_page_file_id = f.id AND a.case_id = f.case_id))
      OR (f.kind = 'evisa-pdf' AND NOT EXISTS (SELECT 1 FROM generated_document d WHERE d.file_id = f.id AND d.case_id = f.case_id))
      OR (f.kind = 'evisa-information-response' AND NOT EXISTS (
            SELECT 1 FROM evisa_information_request r WHERE f.id = ANY(r.answer_file_ids) AND r.case_id = f.case_id))`,
    ),
  );
  report(
    'eVisa case without its application',
    await rows(
      `SELECT c.id, c.status FROM "case" c WHERE c.service = 'evisa'
          AND NOT EXISTS (SELECT 1 FROM evisa_application a WHERE a.case_id = c.id)
          AND NOT (c.status = 'WITHDRAWN' AND EXISTS (SELECT 1 FROM case_event e WHERE e.case_id = c.id
                   AND e.type IN ('evisa.draft_withdrawn', 'evisa.draft_expired')))`,
    ),
  );
  report(
    'submitted eVisa without its submission',
    await rows(
      `SELECT c.id, c.status, a.submit_key IS NOT NULL AS has_key, c.lookup_key IS NOT NULL AS has_lookup FROM "case" c
         JOIN evisa_application a ON a.case_id = c.id
        WHERE c.status NOT IN ('DRAFT', 'WITHDRAWN')
          AND (a.submit_key IS NULL OR c.lookup_key IS NULL OR c.submitted_at IS NULL
               OR NOT EXISTS (SELECT 1 FROM case_event e WHERE e.case_id = c.id AND e.type = 'evisa.submitted'))`,
    ),
  );
  report(
    'draft with a submission',
    await rows(
      `SELECT c.id FROM "case" c JOIN evisa_application a ON a.case_id = c.id
        WHERE c.status = 'DRAFT' AND (a.submit_key IS NOT NULL OR c.submitted_at IS NOT NULL
              OR EXISTS (SELECT 1 FROM case_event e WHERE e.case_id = c.id AND e.type = 'evisa.submitted'))`,
    ),
  );

  for (const { id } of await rows<{ id: string }>(`SELECT id FROM "case" ORDER BY created_at`)) {
    const verdict = await verifyCaseChain(dataSource.manager, id);
    if (!verdict.ok) problems.push(`broken event chain: case ${id}: ${verdict.reason}`);
  }

  if (storageDir) {
    const files = await rows<{ id: string; storage_key: string; size_bytes: number; sha256: string }>(
      `SELECT id, storage_key, size_bytes, sha256 FROM file`,
    );
    for (const file of files) {
      const blob = path.join(storageDir, file.storage_key.slice(0, 2), file.storage_key);
      if (!fs.existsSync(blob)) {
        problems.push(`file row without its bytes: ${file.id}`);
        continue;
      }
      const bytes = fs.readFileSync(blob);
      if (bytes.length !== file.size_bytes || createHash('sha256').update(bytes).digest('hex') !== file.sha256) {
        problems.push(`file bytes differ from the row: ${file.id}`);
      }
    }
  }
  return problems;
}

/** Blobs in the storage folder that no file row names (left by a write whose transaction never committed). */
export async function unreferencedBlobs(dataSource: DataSource, storageDir: string): Promise<string[]> {
  if (!fs.existsSync(storageDir)) return [];
  const keys = new Set(((await dataSource.query(`SELECT storage_key FROM file`)) as { storage_key: string }[]).map((r) => r.storage_key));
  return fs
    .readdirSync(storageDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.partial') && !keys.has(entry.name))
    .map((entry) => entry.name);
}
