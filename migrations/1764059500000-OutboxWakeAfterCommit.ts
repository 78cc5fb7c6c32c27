import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox relays are woken after the writing transaction commits (OutboxWake), no longer by a
 * trigger inside it: a NOTIFY inside a transaction holds PostgreSQL's global notify lock through the
 * commit's WAL flush, which made every transaction that enqueues a job commit one at a time.
 */
export class OutboxWakeAfterCommit1764059500000 implements MigrationInterface {
  name = 'OutboxWakeAfterCommit1764059500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER outbox_wake_relay ON outbox`);
    await db.query(`DROP FUNCTION outbox_wake_relay()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION outbox_wake_relay() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_pending', '');
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER outbox_wake_relay AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_wake_relay()`);
  }
}
