import type { DataSource } from 'typeorm';
import type { CaseSpine } from '@app/cases';
import { verifyCaseChain } from '@app/cases';
import { createTestDatabase, openDataSource } from './harness/context.js';
import { openTestCase, testSpine } from './harness/spine.js';
import { machineOf } from './harness/catalogue.js';

describe('case spine', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  let spine: CaseSpine;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    spine = testSpine();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const snapshot = async (caseId: string) => ({
    case: (await dataSource.query(`SELECT status, version, event_count FROM "case" WHERE id = $1`, [caseId]))[0],
    events: (await dataSource.query(`SELECT count(*)::int AS n FROM case_event WHERE case_id = $1`, [caseId]))[0].n,
    outbox: (await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE case_id = $1`, [caseId]))[0].n,
  });

  it('opens a case with a reference, an encrypted contact, its first event and one outbox row', async () => {
    const opened = await dataSource.transaction((m) => openTestCase(spine, m));
    expect(opened.reference).toMatch(/^PP-/);
    expect(opened.applicantName).toMatch(/^v1\.k1\./);
    expect(spine.decryptApplicant(opened).name).toBe('CHEN Mei-Ling');
    expect(await snapshot(opened.id)).toEqual({ case: { status: 'SUBMITTED', version: 1, event_count: 1 }, events: 1, outbox: 1 });
  });

  it('rejects an illegal transition with INVALID_TRANSITION and changes nothing', async () => {
    const opened = await dataSource.transaction((m) => openTestCase(spine, m));
    const before = await snapshot(opened.id);
    await expect(
      dataSource.transaction((m) =>
        spine.transition(m, {
          machine: machineOf('passport'),
          caseId: opened.id,
          expectedVersion: 1,
          to: 'COLLECTED',
          actor: { type: 'officer', id: 'o1' },
          visibility: 'applicant',
        }),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_TRANSITION', status: 409 });
    expect(await snapshot(opened.id)).toEqual(before);
  });

  it('applies a legal transition: status, version, a chained event and a notification row together', async () => {
    const opened = await dataSource.transaction((m) => openTestCase(spine, m));
    const { case: moved, event } = await dataSource.transaction((m) =>
      spine.transition(m, {
        machine: machineOf('passport'),
        caseId: opened.id,
        expectedVersion: 1,
        to: 'IN_REVIEW',
        actor: { type: 'officer', id: 'o1' },
        visibility: 'applicant',
      }),
    );
    expect(moved).toMatchObject({ status: 'IN_REVIEW', version: 2, eventCount: 2, lastEventHash: event.hash });
    expect(event).toMatchObject({ seq: 2, fromStatus: 'SUBMITTED', toStatus: 'IN_REVIEW' });
    expect(await snapshot(opened.id)).toEqual({ case: { status: 'IN_REVIEW', version: 2, event_count: 2 }, events: 2, outbox: 2 });
    expect(await verifyCaseChain(dataSource.manager, opened.id)).toEqual({ ok: true, events: 2 });
  });

  it('lets one of two concurrent updates at the same version win; the other gets VERSION_CONFLICT', async () => {
    const opened = await dataSource.transaction((m) => openTestCase(spine, m));
    const attempt = (to: string) =>
      dataSource.transaction((m) =>
        spine.transition(m, {
          machine: machineOf('passport'),
          caseId: opened.id,
          expectedVersion: 1,
          to,
          actor: { type: 'officer', id: to },
          visibility: 'internal',
        }),
      );
    const results = await Promise.allSettled([attempt('IN_REVIEW'), attempt('IN_REVIEW')]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatchObject({ code: 'VERSION_CONFLICT' });
    expect(await snapshot(opened.id)).toEqual({ case: { status: 'IN_REVIEW', version: 2, event_count: 2 }, events: 2, outbox: 1 });
    expect(await verifyCaseChain(dataSource.manager, opened.id)).toEqual({ ok: true, events: 2 });
  });

  it('writes no event and no outbox row for a case that moved on, even when the caller commits after the conflict', async () => {
    const opened = await dataSource.transaction((m) => openTestCase(spine, m));
    await dataSource.transaction((m) =>
      spine.transition(m, {
        machine: machineOf('passport'),
        caseId: opened.id,
        expectedVersion: 1,
        to: 'IN_REVIEW',
        actor: { type: 'officer', id: 'o1' },
        visibility: 'internal',
      }),
    );
    const before = await snapshot(opened.id);
    const conflict = await dataSource.transaction(async (m) => {
      try {
        // `current` as the caller read it before the other transition: the version check passes in
        // memory, so only the statement's own `version =` condition can stop the write.
        await spine.transition(m, {
          machine: machineOf('passport'),
          caseId: opened.id,
          expectedVersion: 1,
          to: 'IN_REVIEW',
          actor: { type: 'officer', id: 'o2' },
          visibility: 'applicant',
          current: opened,
        });
        return null;
      } catch (error) {
        return error;
      }
    });
    expect(conflict).toMatchObject({ code: 'VERSION_CONFLICT' });
    expect(await snapshot(opened.id)).toEqual(before);
    expect(await verifyCaseChain(dataSource.manager, opened.id)).toEqual({ ok: true, events: 2 });
  });

  it('refuses UPDATE and DELETE on case_event from the application', async () => {
    const opened = await dataSource.transaction((m) => openTestCase(spine, m));
    await expect(dataSource.query(`UPDATE case_event SET type = 'x' WHERE case_id = $1`, [opened.id])).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM case_event WHERE case_id = $1`, [opened.id])).rejects.toThrow(/append-only/);
  });

  describe('the hash chain catches raw SQL tampering by a superuser who bypasses the trigger', () => {
    async function caseWithFourEvents(): Promise<string> {
      const opened = await dataSource.transaction((m) => openTestCase(spine, m));
      let version = 1;
      for (const to of ['IN_REVIEW', 'INFO_REQUESTED', 'SUBMITTED']) {
        await dataSource.transaction((m) =>
          spine.transition(m, {
            machine: machineOf('passport'),
            caseId: opened.id,
            expectedVersion: version++,
            to,
            actor: { type: 'officer', id: 'o1' },
            visibility: 'applicant',
          }),
        );
      }
      expect(await verifyCaseChain(dataSource.manager, opened.id)).toEqual({ ok: true, events: 4 });
      return opened.id;
    }

    const asSuperuser = (sql: string, params: unknown[]) =>
      dataSource.transaction(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(sql, params);
      });

    it('an edited payload', async () => {
      const id = await caseWithFourEvents();
      await asSuperuser(`UPDATE case_event SET payload = '{"reason":"forged"}' WHERE case_id = $1 AND seq = 2`, [id]);
      expect(await verifyCaseChain(dataSource.manager, id)).toMatchObject({ ok: false, seq: 2 });
    });

    it('a deleted event in the middle', async () => {
      const id = await caseWithFourEvents();
      await asSuperuser(`DELETE FROM case_event WHERE case_id = $1 AND seq = 3`, [id]);
      expect(await verifyCaseChain(dataSource.manager, id)).toMatchObject({ ok: false, seq: 3 });
    });

    it('a deleted last event', async () => {
      const id = await caseWithFourEvents();
      await asSuperuser(`DELETE FROM case_event WHERE case_id = $1 AND seq = 4`, [id]);
      expect(await verifyCaseChain(dataSource.manager, id)).toMatchObject({ ok: false });
    });

    it('two events swapped', async () => {
      const id = await caseWithFourEvents();
      await asSuperuser(`UPDATE case_event SET seq = 1000 WHERE case_id = $1 AND seq = 2`, [id]);
      await asSuperuser(`UPDATE case_event SET seq = 2 WHERE case_id = $1 AND seq = 3`, [id]);
      await asSuperuser(`UPDATE case_event SET seq = 3 WHERE case_id = $1 AND seq = 1000`, [id]);
      expect(await verifyCaseChain(dataSource.manager, id)).toMatchObject({ ok: false, seq: 2 });
    });
  });
});
