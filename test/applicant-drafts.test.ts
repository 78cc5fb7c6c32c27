import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ApplicantDrafts, type ApplicantDraftOptions } from '@app/cases';
import { FieldCipher, SignedTokens } from '@app/platform';
import { ManualClock } from './harness/clock.js';
import { createTestDatabase, openDataSource } from './harness/context.js';

interface Answers {
  name?: string;
}

/** The one encrypted draft store behind the passport, authentication and ABTC page journeys. */
describe('applicant drafts', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  const clock = new ManualClock();
  const cipher = new FieldCipher(new Map([['k1', randomBytes(32)]]), 'k1');
  const tokens = new SignedTokens(randomBytes(32), () => clock.now());
  const store = (service: ApplicantDraftOptions<Answers>['service']) =>
    new ApplicantDrafts<Answers>(dataSource, cipher, tokens, clock, { service, lifetimeSeconds: 3600, empty: () => ({}) });

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('keeps the answers encrypted under the row id and gives them back through the token', async () => {
    const passports = store('passport');
    const token = await passports.write(null, { name: 'LIN Chia-Hao' });
    const { id, draft } = await passports.read(token);
    expect(draft).toEqual({ name: 'LIN Chia-Hao' });
    const [row] = (await dataSource.query(`SELECT service, data FROM applicant_draft WHERE id = $1`, [id])) as {
      service: string;
      data: string;
    }[];
    expect(row!.service).toBe('passport');
    expect(row!.data).not.toContain('LIN');
    expect(cipher.decrypt(row!.data, `applicant_draft.data:${id}`)).toBe('{"name":"LIN Chia-Hao"}');
  });

  it("does not open another service's draft, nor take its confirmation token", async () => {
    const token = await store('abtc').write(null, { name: 'WU Yi-Ting' });
    expect(await store('legalisation').read(token)).toEqual({ id: null, draft: {} });
    expect(store('legalisation').caseIdOf(store('abtc').confirmationToken('case-1'))).toBeNull();
    expect(store('abtc').caseIdOf(store('abtc').confirmationToken('case-1'))).toBe('case-1');
  });

  it('never reads an expired draft, and a new draft deletes the expired ones of every service', async () => {
    const legalisation = store('legalisation');
    const token = await legalisation.write(null, { name: 'CHEN Mei-Ling' });
    const { id } = await legalisation.read(token);
    clock.advance(3600 * 1000);
    expect(await legalisation.read(token)).toEqual({ id: null, draft: {} });
    expect(await dataSource.query(`SELECT 1 FROM applicant_draft WHERE id = $1`, [id])).toHaveLength(1);
    await store('passport').write(null, { name: 'HUANG Wei' });
    expect(await dataSource.query(`SELECT 1 FROM applicant_draft WHERE expires_at <= $1`, [clock.now()])).toHaveLength(0);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM applicant_draft`)).toEqual([{ n: 1 }]);
  });
});
