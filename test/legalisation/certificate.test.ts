import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FileRecord, FileService } from '@app/platform';
import { CertificateHandler } from '@app/legalisation';
import { eventually } from '../harness/context.js';
import { startTestStack, type WorkerStack } from '../harness/app.js';
import { createAccessToken, createTestOfficer } from '../harness/identity.js';
import { type Inject, injector, submitted } from './helpers.js';

const run = (command: string, args: string[]) => execFileSync(command, args, { maxBuffer: 16 * 1_048_576 });

/**
 * Approval queues the certificate through the outbox; the worker renders it once (a repeated job
 * changes nothing), with the number and issue date pdftotext reads and a QR code zbarimg decodes to
 * the register's page for it; the status page then offers it.
 */
describe('the authentication certificate PDF', () => {
  let stack: WorkerStack;
  let inject: Inject;
  let workDir: string;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true, env: { PUBLIC_BASE_URL: 'https://consular.example.test' } });
    inject = injector(stack.api);
    workDir = fs.mkdtempSync(path.join(process.env.TEST_WORK_DIR!, 'certificate-'));
  });

  afterAll(async () => {
    await stack?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('is rendered after approval, in both languages, with a QR code to the register', async () => {
    const request = await submitted(inject, 'US-LAX', {
      applicant: { givenNames: 'Mei-Ling', surname: 'Chen', dateOfBirth: '1988-03-14', email: 'm@example.test', locale: 'zh-Hant' },
    });
    const created = await createTestOfficer(stack.api, { postCode: 'US-LAX' });
    const token = await createAccessToken(stack.api, created.authenticated);
    const call = (url: string, payload?: object) =>
      inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    expect((await call('/api/v1/officer/queue/claim-next')).statusCode).toBe(200);
    const [{ version }] = await stack.dataSource.query(`SELECT version FROM "case" WHERE id = $1`, [request.caseId]);
    expect(
      (await call(`/api/v1/officer/cases/${request.caseId}/actions`, { action: 'approve', expectedVersion: version })).statusCode,
    ).toBe(200);

    const documents = await eventually(
      () =>
        stack.dataSource.query(
          `SELECT id, file_id, locale FROM generated_document WHERE case_id = $1 AND kind = 'authentication-certificate'`,
          [request.caseId],
        ),
      (rows: { id: string; file_id: string; locale: string }[]) => rows.length === 1,
      30_000,
    );
    expect(documents[0].locale).toBe('zh-Hant');
    // A repeated job finds the document and writes nothing more.
    expect(await stack.worker.get(CertificateHandler).handle({ caseId: request.caseId })).toMatchObject({ outcome: 'already-rendered' });
    const [{ n }] = await stack.dataSource.query(`SELECT count(*)::int AS n FROM generated_document WHERE case_id = $1`, [request.caseId]);
    expect(n).toBe(1);

    const [certificate] = await stack.dataSource.query(
      `SELECT certificate_number, authenticated_on::text AS issued_on FROM legalisation_request WHERE case_id = $1`,
      [request.caseId],
    );
    const file = await stack.dataSource.manager.findOneByOrFail(FileRecord, { id: documents[0].file_id });
    const pdfFile = path.join(workDir, 'certificate.pdf');
    fs.writeFileSync(pdfFile, await stack.api.get(FileService).read(file));
    const text = run('pdftotext', ['-layout', pdfFile, '-']).toString('utf8');
    expect(text).toContain(certificate.certificate_number);
    expect(text).toContain(certificate.issued_on);
    expect(text).toContain('文件驗證證明');
    expect(text).toContain('Certificate of authentication');
    expect(text).toContain('出生證明 / Birth certificate');
    expect(text).not.toContain('Chen');

    run('pdftoppm', ['-r', '200', '-png', '-singlefile', pdfFile, path.join(workDir, 'page')]);
    const scanned = run('zbarimg', ['--raw', '-q', path.join(workDir, 'page.png')])
      .toString('utf8')
      .trim();
    expect(scanned).toBe(
      `https://consular.example.test/verify/authentication?certificate=${certificate.certificate_number}&issued=${certificate.issued_on}`,
    );
    const page = await inject({
      method: 'GET',
      url: new URL(scanned).pathname + new URL(scanned).search,
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`value="${certificate.certificate_number}"`);
  });
});
