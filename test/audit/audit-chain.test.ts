import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DataSource, EntityManager } from 'typeorm';
import { SystemClock } from '@app/platform';
import { AuditLog, verifyAuditChain } from '@app/audit';
import { createTestDatabase, openDataSource } from '../harness/context.js';

const run = promisify(execFile);

describe('audit log hash chain', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;
  const audit = new AuditLog(new SystemClock());

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await openDataSource(db.url);
    for (let i = 1; i <= 6; i++) {
      await audit.record(dataSource.manager, {
        action: i % 2 ? 'officer.sign_in' : 'case.personal_data_viewed',
        outcome: i === 3 ? 'failure' : 'success',
        actor: { type: 'officer', id: `00000000-0000-4000-8000-00000000000${i}`, username: `officer.${i}` },
        target: { type: 'case', id: `case-${i}` },
        postCode: 'US-LAX',
        ip: '192.0.2.10',
        details: { attempt: i, at: new Date('2026-01-01T00:00:00Z'), nested: { b: 1, a: [1, 'x'] } },
      });
    }
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  /** Tampers as a superuser who switches the triggers off, checks, then rolls the tampering back. */
  async function verdictAfter(tamper: string[]): Promise<Awaited<ReturnType<typeof verifyAuditChain>>> {
    const runner = dataSource.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query(`SET LOCAL session_replication_role = replica`);
      for (const statement of tamper) await runner.query(statement);
      return await verifyAuditChain(runner.manager);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  it('verifies an intact chain', async () => {
    expect(await verifyAuditChain(dataSource.manager)).toEqual({ ok: true, rows: 6, lastHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const rows = (await dataSource.query(`SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq`)) as {
      seq: string;
      prev_hash: string;
      hash: string;
    }[];
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
  });

  it('names the first broken row when a superuser edits, deletes, reorders or cuts rows with raw SQL', async () => {
    expect(await verdictAfter([`UPDATE audit_log SET details = '{"attempt": 99}' WHERE seq = 3`])).toEqual({
      ok: false,
      seq: 3,
      reason: 'row 3 was changed after it was written',
    });
    expect(await verdictAfter([`UPDATE audit_log SET outcome = 'success' WHERE seq = 3`])).toMatchObject({ ok: false, seq: 3 });
    // Recomputing the edited row's own hash moves the break to the next row, which still points at the old one.
    expect(await verdictAfter([`UPDATE audit_log SET hash = repeat('0', 64) WHERE seq = 4`])).toMatchObject({ ok: false, seq: 4 });
    expect(await verdictAfter([`DELETE FROM audit_log WHERE seq = 3`])).toEqual({ ok: false, seq: 3, reason: 'row 3 is missing' });
    expect(
      await verdictAfter([
        `UPDATE audit_log SET seq = 1000 WHERE seq = 3`,
        `UPDATE audit_log SET seq = 3 WHERE seq = 4`,
        `UPDATE audit_log SET seq = 4 WHERE seq = 1000`,
      ]),
    ).toEqual({ ok: false, seq: 3, reason: 'row 3 does not link to row 2' });
    expect(await verdictAfter([`UPDATE audit_log SET occurred_at = occurred_at - interval '1 day' WHERE seq = 5`])).toMatchObject({
      ok: false,
      seq: 5,
    });
    expect(await verdictAfter([`DELETE FROM audit_log WHERE seq = 6`])).toEqual({
      ok: false,
      seq: 6,
      reason: 'the log ends at row 5 but 6 rows were appended',
    });
    expect(await verifyAuditChain(dataSource.manager)).toMatchObject({ ok: true, rows: 6 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE through the application connection, and a row that does not extend the chain', async () => {
    await expect(dataSource.query(`UPDATE audit_log SET action = 'officer.nothing' WHERE seq = 1`)).rejects.toThrow(
      /append-only: UPDATE refused/,
    );
    await expect(dataSource.query(`DELETE FROM audit_log WHERE seq = 1`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(dataSource.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    await expect(dataSource.query(`UPDATE audit_log_head SET last_seq = 0`)).rejects.toThrow(/moves only when a row is appended/);
    await expect(
      dataSource.query(
        `INSERT INTO audit_log (seq, occurred_at, actor_type, action, outcome, prev_hash, hash) VALUES (7, now(), 'system', 'officer.forged', 'success', 'x', 'y')`,
      ),
    ).rejects.toThrow(/does not extend the chain/);
    expect(await verifyAuditChain(dataSource.manager)).toMatchObject({ ok: true, rows: 6 });
  });

  it('keeps one unbroken chain under concurrent appends, and a rolled-back entry leaves no gap', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        dataSource.transaction((manager: EntityManager) =>
          audit.record(manager, { action: 'export.created', actor: { type: 'system' }, details: { i } }),
        ),
      ),
    );
    await expect(
      dataSource.transaction(async (manager) => {
        await audit.record(manager, { action: 'case.decided', actor: { type: 'system' } });
        throw new Error('the decision failed');
      }),
    ).rejects.toThrow('the decision failed');
    await audit.record(dataSource.manager, { action: 'export.created', actor: { type: 'system' } });
    expect(await verifyAuditChain(dataSource.manager)).toMatchObject({ ok: true, rows: 27 });
    const [{ decided }] = (await dataSource.query(`SELECT count(*)::int AS decided FROM audit_log WHERE action = 'case.decided'`)) as [
      { decided: number },
    ];
    expect(decided).toBe(0);
  });

  it('npm run audit:verify reports an intact log, then names the row a superuser changed', async () => {
    const cli = (databaseUrl: string) =>
      run(process.execPath, ['dist/libs/audit/src/cli.js', 'verify'], { env: { ...process.env, DATABASE_URL: databaseUrl } }).then(
        (r) => ({ code: 0, out: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      );
    const intact = await cli(db.url);
    expect(intact).toEqual({ code: 0, out: expect.stringMatching(/^audit log intact: 27 rows, last hash [0-9a-f]{64}\n$/) });
    await dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL session_replication_role = replica`);
      await manager.query(`UPDATE audit_log SET actor_name = 'someone.else' WHERE seq = 2`);
    });
    expect(await cli(db.url)).toEqual({ code: 1, out: 'audit log broken at row 2: row 2 was changed after it was written\n' });
  });
});
