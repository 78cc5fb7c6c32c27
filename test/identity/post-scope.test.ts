import type { DataSource } from 'typeorm';
import { type AuthenticatedOfficer, postScopeOf } from '@app/platform';
import { CaseRecord } from '@app/cases';
import { applyPostScope, findCaseInScope, postScopeSql } from '@app/identity';
import { createTestDatabase, openDataSource } from '../harness/context.js';
import { openTestCase, testSpine } from '../harness/spine.js';

const officerAt = (postCode: string, seesAllPosts: boolean): AuthenticatedOfficer => ({
  id: '00000000-0000-4000-8000-000000000001',
  username: 'scope.test',
  displayName: 'Scope Test',
  roles: ['officer'],
  postCode,
  seesAllPosts,
});

describe('post scoping in the query layer', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let losAngeles: CaseRecord;
  let tokyo: CaseRecord;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    const spine = testSpine();
    losAngeles = await dataSource.transaction((m) => openTestCase(spine, m, 'passport', 'US-LAX'));
    tokyo = await dataSource.transaction((m) => openTestCase(spine, m, 'passport', 'JP-TYO'));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('gives an officer their own post’s case and 404 for another post’s, and every case to HQ and supervisors', async () => {
    const local = postScopeOf(officerAt('US-LAX', false));
    expect((await findCaseInScope(dataSource.manager, losAngeles.id, local)).id).toBe(losAngeles.id);
    await expect(findCaseInScope(dataSource.manager, tokyo.id, local)).rejects.toMatchObject({ code: 'CASE_NOT_FOUND', status: 404 });
    await expect(findCaseInScope(dataSource.manager, 'not-a-uuid', local)).rejects.toMatchObject({ code: 'CASE_NOT_FOUND' });
    const everywhere = postScopeOf(officerAt('HQ-TPE', true));
    expect((await findCaseInScope(dataSource.manager, tokyo.id, everywhere)).id).toBe(tokyo.id);
    await dataSource.transaction(async (manager) => {
      expect((await findCaseInScope(manager, losAngeles.id, local, true)).postCode).toBe('US-LAX');
    });
  });

  it('scopes query-builder and raw SQL lists the same way', async () => {
    const local = postScopeOf(officerAt('JP-TYO', false));
    const query = dataSource.getRepository(CaseRecord).createQueryBuilder('c').where('c.status = :status', { status: 'SUBMITTED' });
    expect((await applyPostScope(query, 'c.postCode', local).getMany()).map((c) => c.id)).toEqual([tokyo.id]);

    const params: unknown[] = ['SUBMITTED'];
    const where = postScopeSql(local, 'post_code', params);
    expect(where).toBe('post_code = $2');
    const rows = (await dataSource.query(`SELECT id FROM "case" WHERE status = $1 AND ${where}`, params)) as { id: string }[];
    expect(rows.map((r) => r.id)).toEqual([tokyo.id]);

    const all: unknown[] = [];
    expect(postScopeSql({ allPosts: true }, 'post_code', all)).toBe('TRUE');
    expect(all).toEqual([]);
  });
});
