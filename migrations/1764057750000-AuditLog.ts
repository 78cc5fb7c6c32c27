import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only, hash-chained audit log. Each row holds prev_hash and
 * hash = sha256(prev_hash ‖ canonical JSON of the row). audit_log_head remembers the last row;
 * a trigger advances it on every insert and refuses a row that does not extend the chain, so the
 * verifier can also tell when rows were cut from the end.
 */
export class AuditLog1764057750000 implements MigrationInterface {
  name = 'AuditLog1764057750000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_log (
        seq          bigint PRIMARY KEY CHECK (seq > 0),
        occurred_at  timestamptz NOT NULL,
        actor_type   text NOT NULL CHECK (actor_type IN ('officer','applicant','system','anonymous')),
        actor_id     text,
        actor_name   text,
        action       text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$'),
        outcome      text NOT NULL CHECK (outcome IN ('success','failure')),
        target_type  text,
        target_id    text,
        post_code    text,
        ip           text,
        details      jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash    text NOT NULL,
        hash         text NOT NULL
      )`);
    await db.query(`CREATE INDEX audit_log_action_idx ON audit_log (action, seq)`);
    await db.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_name, seq) WHERE actor_name IS NOT NULL`);
    await db.query(`CREATE INDEX audit_log_target_idx ON audit_log (target_id, seq) WHERE target_id IS NOT NULL`);
    await db.query(`CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at)`);
    await db.query(
      `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_history_change()`,
    );
    await db.query(
      `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change()`,
    );

    await db.query(`
      CREATE TABLE audit_log_head (
        singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        last_seq   bigint NOT NULL,
        last_hash  text NOT NULL
      )`);
    await db.query(
      `INSERT INTO audit_log_head (last_seq, last_hash) VALUES (0, encode(sha256(convert_to('audit_log:genesis', 'UTF8')), 'hex'))`,
    );
    await db.query(`
      CREATE FUNCTION audit_log_extend_head() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE audit_log_head SET last_seq = NEW.seq, last_hash = NEW.hash
         WHERE last_seq = NEW.seq - 1 AND last_hash = NEW.prev_hash;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'audit_log row % does not extend the chain', NEW.seq USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER audit_log_extend_head AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_extend_head()`);
    // The head moves only from the trigger above (nested, so trigger depth > 1).
    await db.query(`
      CREATE FUNCTION audit_log_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_log_head moves only when a row is appended: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(
      `CREATE TRIGGER audit_log_head_guard BEFORE UPDATE OR DELETE ON audit_log_head FOR EACH ROW EXECUTE FUNCTION audit_log_head_guard()`,
    );
    await db.query(
      `CREATE TRIGGER audit_log_head_no_truncate BEFORE TRUNCATE ON audit_log_head FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change()`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_log_head`);
    await db.query(`DROP FUNCTION audit_log_head_guard()`);
    await db.query(`DROP TABLE audit_log`);
    await db.query(`DROP FUNCTION audit_log_extend_head()`);
  }
}
