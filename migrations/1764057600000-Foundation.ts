import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Posts, the case spine (case, case_event), the outbox and stored files. */
export class Foundation1764057600000 implements MigrationInterface {
  name = 'Foundation1764057600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE post (
        code        text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}-[A-Z]{3}$'),
        kind        text NOT NULL CHECK (kind IN ('hq', 'embassy', 'office')),
        name_en     text NOT NULL,
        name_zh     text NOT NULL,
        country     char(3) NOT NULL,
        city        text NOT NULL,
        time_zone   text NOT NULL,
        services    text[] NOT NULL DEFAULT ARRAY['evisa','passport','legalisation','abtc','emergency'],
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE "case" (
        id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reference             text NOT NULL UNIQUE,
        service               text NOT NULL CHECK (service IN ('evisa','passport','legalisation','abtc','emergency')),
        status                text NOT NULL,
        post_code             text NOT NULL REFERENCES post(code),
        priority              smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 4),
        applicant_name        text,
        applicant_email       text,
        applicant_email_index text,
        applicant_phone       text,
        locale                text NOT NULL DEFAULT 'en' CHECK (locale IN ('en','zh-Hant')),
        lookup_key            text,
        assigned_officer_id   uuid,
        claim_expires_at      timestamptz,
        sla_due_at            timestamptz,
        version               integer NOT NULL DEFAULT 1,
        event_count           integer NOT NULL DEFAULT 0,
        last_event_hash       text,
        submitted_at          timestamptz,
        decided_at            timestamptz,
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX case_queue_idx ON "case" (post_code, status, priority, sla_due_at, id)`);
    await db.query(`CREATE INDEX case_assigned_idx ON "case" (assigned_officer_id) WHERE assigned_officer_id IS NOT NULL`);
    await db.query(`CREATE INDEX case_email_idx ON "case" (applicant_email_index) WHERE applicant_email_index IS NOT NULL`);

    await db.query(`
      CREATE TABLE case_event (
        id           bigserial PRIMARY KEY,
        case_id      uuid NOT NULL REFERENCES "case"(id),
        seq          integer NOT NULL CHECK (seq > 0),
        type         text NOT NULL,
        from_status  text,
        to_status    text,
        actor_type   text NOT NULL CHECK (actor_type IN ('applicant','officer','system')),
        actor_id     text,
        visibility   text NOT NULL CHECK (visibility IN ('internal','applicant')),
        payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash    text NOT NULL,
        hash         text NOT NULL,
        created_at   timestamptz NOT NULL,
        UNIQUE (case_id, seq)
      )`);
    // Events are history: the application may only append. (A superuser can still bypass this,
    // which is what the hash chain is for.)
    await db.query(`
      CREATE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(
      `CREATE TRIGGER case_event_append_only BEFORE UPDATE OR DELETE ON case_event FOR EACH ROW EXECUTE FUNCTION refuse_history_change()`,
    );

    await db.query(`
      CREATE TABLE outbox (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        queue          text NOT NULL,
        job_name       text NOT NULL,
        payload        jsonb NOT NULL DEFAULT '{}'::jsonb,
        case_id        uuid REFERENCES "case"(id),
        created_at     timestamptz NOT NULL DEFAULT now(),
        available_at   timestamptz NOT NULL DEFAULT now(),
        dispatched_at  timestamptz,
        attempts       integer NOT NULL DEFAULT 0,
        last_error     text
      )`);
    await db.query(`CREATE INDEX outbox_pending_idx ON outbox (available_at, created_at) WHERE dispatched_at IS NULL`);
    await db.query(`CREATE INDEX outbox_case_idx ON outbox (case_id) WHERE case_id IS NOT NULL`);
    await db.query(`
      CREATE FUNCTION outbox_wake_relay() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_pending', '');
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER outbox_wake_relay AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_wake_relay()`);

    await db.query(`
      CREATE TABLE file (
        id           uuid PRIMARY KEY,
        storage_key  text NOT NULL UNIQUE,
        kind         text NOT NULL,
        mime_type    text NOT NULL,
        size_bytes   integer NOT NULL CHECK (size_bytes >= 0),
        sha256       text NOT NULL,
        case_id      uuid REFERENCES "case"(id),
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX file_case_idx ON file (case_id) WHERE case_id IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE file`);
    await db.query(`DROP TABLE outbox`);
    await db.query(`DROP FUNCTION outbox_wake_relay() CASCADE`);
    await db.query(`DROP TABLE case_event`);
    await db.query(`DROP FUNCTION refuse_history_change() CASCADE`);
    await db.query(`DROP TABLE "case"`);
    await db.query(`DROP TABLE post`);
  }
}
