import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { FieldCipher, loadConfig } from '@app/platform';
import { createApi } from '../../apps/api/src/bootstrap.js';
import { createTestDatabase, key, openDataSource, testEnv } from '../harness/context.js';
import { createAccessToken, createTestOfficer } from '../harness/identity.js';
import { browserInjector, injector, submittedApplication } from '../evisa/helpers.js';

interface Exported {
  cases: {
    reference: string;
    contact: { name: string | null; email: string | null };
    answers: { application: { answers: Record<string, string> } };
  }[];
}

/**
 * Field-encryption key rotation end to end: a case written by an app whose keyring holds only k1 is
 * read by an app restarted with k1 and k2, k2 active; what that app writes is under k2. (Seal
 * signing key rotation is covered by test/documents/evisa-seal.test.ts.)
 */
describe('rotating the field encryption key', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  const k1 = key();
  const k2 = key();
  let shared: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    // Everything but the field keyring stays the same across the restart, as in a real rotation.
    shared = testEnv(db.url);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  async function start(fieldKeys: string, activeKey: string): Promise<NestFastifyApplication> {
    const app = await createApi(loadConfig({ ...shared, FIELD_ENCRYPTION_KEYS: fieldKeys, FIELD_ENCRYPTION_ACTIVE_KEY: activeKey }));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  }

  async function exportAs(app: NestFastifyApplication, reference: string): Promise<Exported['cases'][number]> {
    const supervisor = await createTestOfficer(app, { roles: ['supervisor'], postCode: 'HQ-TPE' });
    const token = await createAccessToken(app, supervisor.authenticated);
    const response = await injector(app)({
      method: 'POST',
      url: '/api/v1/officer/subject-access-exports',
      headers: { authorization: `Bearer ${token}` },
      payload: { reference },
    });
    expect(response.statusCode).toBe(200);
    return (response.json() as Exported).cases.find((c) => c.reference === reference)!;
  }

  const keyIdsOf = async (caseId: string): Promise<string[]> => {
    const [caseRow] = (await dataSource.query(`SELECT applicant_name, applicant_email, applicant_phone FROM "case" WHERE id = $1`, [
      caseId,
    ])) as Record<string, string>[];
    const [application] = (await dataSource.query(
      `SELECT surname, passport_number, email, date_of_birth FROM evisa_application WHERE case_id = $1`,
      [caseId],
    )) as Record<string, string>[];
    return [...new Set([...Object.values(caseRow!), ...Object.values(application!)].map((value) => FieldCipher.keyIdOf(value)!))];
  };

  it('reads data sealed under the old key after the rotation and seals new data under the new key id', async () => {
    const before = await start(`k1:${k1}`, 'k1');
    let old: { caseId: string; reference: string };
    try {
      old = await submittedApplication(await browserInjector(before));
    } finally {
      await before.close();
    }
    expect(await keyIdsOf(old.caseId)).toEqual(['k1']);

    const rotated = await start(`k1:${k1},k2:${k2}`, 'k2');
    try {
      const oldCase = await exportAs(rotated, old.reference);
      expect(oldCase.contact).toMatchObject({ name: 'DELA CRUZ MARIA CLARA', email: 'maria@example.test' });
      expect(oldCase.answers.application.answers).toMatchObject({ passportNumber: 'P1234567A', dateOfBirth: '1990-04-27' });
      // The applicant's status check still works: the blind index key did not change.
      const access = await injector(rotated)({
        method: 'POST',
        url: '/api/v1/evisa/applications/access',
        payload: { reference: old.reference, surname: 'Dela Cruz', dateOfBirth: '1990-04-27' },
      });
      expect(access.statusCode).toBe(200);

      const fresh = await submittedApplication(await browserInjector(rotated));
      expect(await keyIdsOf(fresh.caseId)).toEqual(['k2']);
      expect(await keyIdsOf(old.caseId)).toEqual(['k1']);
      expect((await exportAs(rotated, fresh.reference)).answers.application.answers.passportNumber).toBe('P1234567A');
    } finally {
      await rotated.close();
    }

    // Retiring k1 before its data is re-encrypted makes that data unreadable: keep old keys in the ring.
    const [row] = (await dataSource.query(`SELECT applicant_name FROM "case" WHERE id = $1`, [old.caseId])) as { applicant_name: string }[];
    const withoutK1 = new FieldCipher(new Map([['k2', Buffer.from(k2, 'base64')]]), 'k2');
    expect(() => withoutK1.decrypt(row!.applicant_name, `case.applicant_name:${old.caseId}`)).toThrow(
      expect.objectContaining({ code: 'DECRYPTION_FAILED' }),
    );
  });
});
