import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { CaseSpine } from '@app/cases';
import { ServiceCatalogue, type ShareableDocumentPort } from '@app/cases';
import { startTestStack, type TestStack } from '../harness/app.js';
import { moveCase, openCase } from '../notifications/support.js';
import { addDocument, expectNoInlineScript, form, injector } from './support.js';

describe('share codes: view and prove an issued document', () => {
  let stack: TestStack;
  let app: NestFastifyApplication;
  let inject: ReturnType<typeof injector>;
  let dataSource: DataSource;
  let spine: CaseSpine;

  beforeAll(async () => {
    stack = await startTestStack();
    app = stack.api;
    inject = injector(app);
    dataSource = stack.dataSource;
    spine = app.get(CaseSpine);
  });

  afterAll(async () => {
    await stack?.close();
  });

  let ip = 0;
  const issuedEvisa = async () => {
    const opened = await dataSource.transaction((m) =>
      openCase(m, spine, 'evisa', { email: 'holder@example.test', phone: '+886912345678', surname: 'Nguyen', dateOfBirth: '1988-12-30' }),
    );
    await moveCase(dataSource, spine, opened.id, ['SUBMITTED', 'IN_REVIEW', 'APPROVED', 'ISSUED'], { passportNumber: 'C1234567' });
    const documentId = await addDocument(app, opened.id, 'evisa', 'en');
    const response = await inject({
      method: 'POST',
      url: '/api/v1/status',
      payload: { reference: opened.reference, surname: 'Nguyen', dateOfBirth: '1988-12-30' },
      remoteAddress: `198.51.100.${++ip}`,
    });
    expect(response.statusCode).toBe(200);
    return { opened, documentId, accessToken: JSON.parse(response.body).accessToken as string };
  };
  const create = (accessToken: string, documentId: string) =>
    inject({ method: 'POST', url: '/api/v1/share-codes', payload: { accessToken, documentId } });
  const check = (code: string, organisation = 'Acme Recruitment Ltd') =>
    inject({ method: 'POST', url: '/api/v1/share-codes/check', payload: { code, organisation }, remoteAddress: `203.0.113.${++ip}` });
  const holderView = async (accessToken: string) =>
    JSON.parse((await inject({ method: 'POST', url: '/api/v1/status/view', payload: { accessToken } })).body);

  it("shows a third party only the document's validity and data, and logs each use for the holder", async () => {
    const { opened, documentId, accessToken } = await issuedEvisa();
    const created = await create(accessToken, documentId);
    expect(created.statusCode).toBe(201);
    const { code, expiresAt } = JSON.parse(created.body);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}$/);
    const days = (new Date(expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    const checked = await check(code.replace(/-/g, ' ').toLowerCase());
    expect(checked.statusCode).toBe(200);
    const result = JSON.parse(checked.body);
    expect(result.organisation).toBe('Acme Recruitment Ltd');
    expect(result.document).toEqual({
      title: 'eVisa',
      valid: true,
      validFrom: expect.any(String),
      validUntil: null,
      fields: [
        { label: 'Service', value: 'eVisa' },
        { label: 'Reference', value: opened.reference },
        { label: 'Status', value: 'eVisa issued' },
      ],
    });
    for (const secret of ['Nguyen', 'NGUYEN', '1988', 'holder@example.test', 'C1234567', '912345678', 'timeline'])
      expect(checked.body).not.toContain(secret);
    await check(code, 'Border Agency');

    const view = await holderView(accessToken);
    expect(view.sharing.codes).toHaveLength(1);
    expect(view.sharing.codes[0]).toMatchObject({ codeEnding: code.slice(-3), active: true, documentKind: 'evisa' });
    expect(view.sharing.codes[0].uses.map((u: { organisation: string }) => u.organisation)).toEqual([
      'Border Agency',
      'Acme Recruitment Ltd',
    ]);
    const [stored] = await dataSource.query(`SELECT code_hash FROM share_code WHERE case_id = $1`, [opened.id]);
    expect(stored.code_hash).not.toContain(code.replace(/-/g, ''));
  });

  it('stops working once revoked or expired, with the same answer as an unknown code', async () => {
    const { documentId, accessToken } = await issuedEvisa();
    const revokedCode = JSON.parse((await create(accessToken, documentId)).body);
    const expiringCode = JSON.parse((await create(accessToken, documentId)).body);
    expect((await check(revokedCode.code)).statusCode).toBe(200);

    const revoked = await inject({
      method: 'POST',
      url: '/api/v1/share-codes/revoke',
      payload: { accessToken, shareCodeId: revokedCode.id },
    });
    expect(revoked.statusCode).toBe(204);
    await dataSource.query(`UPDATE share_code SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiringCode.id]);

    const scrub = (body: string) => body.replace(JSON.parse(body).error.correlationId, '<id>');
    const unknown = await check('ZZZ-ZZZ-ZZZ');
    expect(unknown.statusCode).toBe(404);
    for (const code of [revokedCode.code, expiringCode.code]) {
      const response = await check(code);
      expect(response.statusCode).toBe(404);
      expect(scrub(response.body)).toBe(scrub(unknown.body));
    }
    const view = await holderView(accessToken);
    expect(view.sharing.codes.map((c: { active: boolean }) => c.active)).toEqual([false, false]);
  });

  it('shows a document as not valid once the eVisa is revoked', async () => {
    const { opened, documentId, accessToken } = await issuedEvisa();
    const { code } = JSON.parse((await create(accessToken, documentId)).body);
    await moveCase(dataSource, spine, opened.id, ['REVOKED']);
    const result = JSON.parse((await check(code)).body);
    expect(result.document.valid).toBe(false);
    expect(result.document.fields).toContainEqual({ label: 'Status', value: 'eVisa revoked' });
    // and the holder can no longer create codes for it
    expect((await create(accessToken, documentId)).statusCode).toBe(409);
  });

  it('refuses a share code for a document that has not been issued', async () => {
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'passport', { surname: 'Lee' }));
    const documentId = await addDocument(app, opened.id, 'receipt', 'en');
    const view = JSON.parse(
      (
        await inject({
          method: 'POST',
          url: '/api/v1/status',
          payload: { reference: opened.reference, surname: 'Lee', dateOfBirth: '1990-04-01' },
          remoteAddress: '198.51.100.250',
        })
      ).body,
    );
    expect(view.sharing.allowed).toBe(false);
    const refused = await create(view.accessToken, documentId);
    expect(refused.statusCode).toBe(409);
    expect(JSON.parse(refused.body).error.code).toBe('SHARE_CODE_NOT_ALLOWED');
  });

  it("uses the service's ShareableDocumentPort when it has one", async () => {
    const port: ShareableDocumentPort = {
      publicView: async ({ document }) => ({
        title: 'Authentication certificate',
        valid: true,
        validFrom: document.createdAt,
        validUntil: null,
        fields: [{ label: 'Certificate number', value: 'DA-2026-000123' }],
      }),
    };
    const catalogue = app.get(ServiceCatalogue);
    const real = catalogue.shareableDocument;
    catalogue.shareableDocument = (id) => (id === 'legalisation' ? port : real.call(catalogue, id));
    const opened = await dataSource.transaction((m) => openCase(m, spine, 'legalisation', { surname: 'Ito' }));
    await moveCase(dataSource, spine, opened.id, ['IN_REVIEW', 'AUTHENTICATED']);
    const documentId = await addDocument(app, opened.id, 'authentication-certificate', 'zh-Hant');
    const view = JSON.parse(
      (
        await inject({
          method: 'POST',
          url: '/api/v1/status',
          payload: { reference: opened.reference, surname: 'ito', dateOfBirth: '1990-04-01' },
          remoteAddress: '198.51.100.251',
        })
      ).body,
    );
    const { code } = JSON.parse((await create(view.accessToken, documentId)).body);
    const result = JSON.parse((await check(code)).body);
    expect(result.document.fields).toEqual([{ label: 'Certificate number', value: 'DA-2026-000123' }]);
    catalogue.shareableDocument = real;
  });

  it('works as pages without JavaScript: create, check, and see the log', async () => {
    const { documentId, accessToken } = await issuedEvisa();
    const created = await inject({ method: 'POST', url: '/status/share-codes', ...form({ accessToken, documentId }) });
    expect(created.statusCode).toBe(200);
    const code = /<strong>([0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3})<\/strong>/.exec(created.body)![1]!;
    expectNoInlineScript(created.body);

    const bad = await inject({ method: 'POST', url: '/share', ...form({ code: '12', organisation: '' }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#code"');
    expect(bad.body).toContain('href="#organisation"');

    const result = await inject({
      method: 'POST',
      url: '/share?lang=zh-Hant',
      ...form({ code, organisation: '範例人力公司' }),
      remoteAddress: '203.0.113.250',
    });
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('此文件有效');
    expectNoInlineScript(result.body);

    const holder = await inject({ method: 'POST', url: '/status/view', ...form({ accessToken }) });
    expect(holder.statusCode).toBe(200);
    expect(holder.body).toContain('範例人力公司');
    expect(holder.body).toContain('action="/status/share-codes/revoke"');
  });
});
