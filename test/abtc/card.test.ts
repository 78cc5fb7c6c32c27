import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CardHandler, ClearanceService } from '@app/abtc';
import { FileRecord, FileService } from '@app/platform';
import { eventually } from '../harness/context.js';
import { startTestStack, type WorkerStack } from '../harness/app.js';
import { createAccessToken, createTestOfficer } from '../harness/identity.js';
import { freshIp, type Inject, injector, submitted } from './helpers.js';

const FULL_MEMBERS = [
  'AUS',
  'BRN',
  'CHL',
  'CHN',
  'HKG',
  'IDN',
  'JPN',
  'KOR',
  'MYS',
  'MEX',
  'NZL',
  'PNG',
  'PER',
  'PHL',
  'RUS',
  'SGP',
  'THA',
  'VNM',
];

/**
 * Issuing queues the card through the outbox; the worker renders it once (a repeated job changes
 * nothing) in the holder's language first, listing only the economies that approved; the status
 * page then offers it.
 */
describe('the ABTC card PDF', () => {
  let stack: WorkerStack;
  let inject: Inject;
  let workDir: string;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    inject = injector(stack.api);
    workDir = fs.mkdtempSync(path.join(process.env.TEST_WORK_DIR!, 'abtc-card-'));
  });

  afterAll(async () => {
    await stack?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('is rendered once the card is issued, with only the approving economies', async () => {
    const application = await submitted(inject, { applicant: { locale: 'zh-Hant' } });
    const created = await createTestOfficer(stack.api, { postCode: 'HQ-TPE' });
    const token = await createAccessToken(stack.api, created.authenticated);
    const call = (url: string, payload?: object) =>
      inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    const version = async () =>
      ((await stack.dataSource.query(`SELECT version FROM "case" WHERE id = $1`, [application.caseId])) as { version: number }[])[0]!
        .version;
    // The worker may be writing the submission's notification right now: claim-next must take the case all the same.
    const claim = await call('/api/v1/officer/queue/claim-next');
    expect([claim.statusCode, JSON.parse(claim.body).case?.id]).toEqual([200, application.caseId]);
    const approved = await call(`/api/v1/officer/cases/${application.caseId}/actions`, {
      action: 'approve',
      expectedVersion: await version(),
    });
    expect([approved.statusCode, approved.body]).toEqual([200, expect.stringContaining('PRE_CLEARANCE')]);
    const clearances = stack.api.get(ClearanceService);
    for (const economy of FULL_MEMBERS) {
      const decision = economy === 'JPN' || economy === 'NZL' ? 'APPROVED' : 'REFUSED';
      await clearances.record(created.authenticated, application.caseId, await version(), { economy, decision, note: 'Answered.' });
    }
    await clearances.issue(created.authenticated, application.caseId, await version());

    const documents = await eventually(
      () =>
        stack.dataSource.query(`SELECT id, file_id, locale FROM generated_document WHERE case_id = $1 AND kind = 'abtc-card'`, [
          application.caseId,
        ]),
      (rows: { id: string; file_id: string; locale: string }[]) => rows.length === 1,
      30_000,
    );
    expect(documents[0].locale).toBe('zh-Hant');
    expect(await stack.worker.get(CardHandler).handle({ caseId: application.caseId })).toMatchObject({ outcome: 'already-rendered' });
    const [{ n }] = await stack.dataSource.query(`SELECT count(*)::int AS n FROM generated_document WHERE case_id = $1`, [
      application.caseId,
    ]);
    expect(n).toBe(1);

    const [card] = await stack.dataSource.query(
      `SELECT card_number, valid_until::text AS valid_until FROM abtc_application WHERE case_id = $1`,
      [application.caseId],
    );
    const file = await stack.dataSource.manager.findOneByOrFail(FileRecord, { id: documents[0].file_id });
    const pdfFile = path.join(workDir, 'card.pdf');
    fs.writeFileSync(pdfFile, await stack.api.get(FileService).read(file));
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-']).toString('utf8');
    expect(text).toContain('APEC 商務旅行卡');
    expect(text).toContain(card.card_number);
    expect(text).toContain(card.valid_until);
    expect(text).toContain('Chia-Hao Lin');
    expect(text).toContain('312345678');
    expect(text).toMatch(/JPN\s+Japan \/ 日本/);
    expect(text).toMatch(/NZL\s+New Zealand \/ 紐西蘭/);
    expect(text).not.toContain('Republic of Korea');
    expect(text).not.toContain('Canada');

    const status = await inject({
      method: 'POST',
      url: '/api/v1/status',
      payload: { reference: application.reference, surname: 'Lin', dateOfBirth: '1979-06-02' },
      remoteAddress: freshIp(),
    });
    expect(status.statusCode).toBe(200);
    expect(JSON.parse(status.body).documents).toEqual([expect.objectContaining({ title: 'APEC Business Travel Card' })]);
  });
});
