import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delivery records for applicant notifications, the applicant's choice about non-essential
 * updates, and the development SMS inbox.
 */
export class Notifications1764057800000 implements MigrationInterface {
  name = 'Notifications1764057800000';

  async up(db: QueryRunner): Promise<void> {
    // One row per (case, event, channel), whatever happens: the unique key is what makes a
    // re-run job find the earlier attempt instead of sending again.
    await db.query(`
      CREATE TABLE notification (
        id                  uuid PRIMARY KEY,
        case_id             uuid NOT NULL REFERENCES "case"(id),
        event_seq           integer NOT NULL CHECK (event_seq > 0),
        channel             text NOT NULL CHECK (channel IN ('email', 'sms')),
        template            text NOT NULL,
        locale              text NOT NULL CHECK (locale IN ('en', 'zh-Hant')),
        recipient           text NOT NULL,
        recipient_masked    text NOT NULL,
        status              text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'unknown', 'covered', 'skipped')),
        essential           boolean NOT NULL,
        event_seqs          integer[] NOT NULL,
        covered_by          uuid REFERENCES notification(id),
        attempts            integer NOT NULL DEFAULT 0,
        resends             integer NOT NULL DEFAULT 0,
        message_id          text NOT NULL,
        provider_message_id text,
        last_error          text,
        sending_started_at  timestamptz,
        sent_at             timestamptz,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notification_once UNIQUE (case_id, event_seq, channel),
        CHECK ((status = 'covered') = (covered_by IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX notification_case_idx ON notification (case_id, created_at)`);
    await db.query(
      `CREATE INDEX notification_attention_idx ON notification (updated_at DESC, id) WHERE status IN ('failed', 'unknown', 'sending')`,
    );

    await db.query(`
      CREATE TABLE notification_preference (
        case_id           uuid PRIMARY KEY REFERENCES "case"(id),
        progress_updates  boolean NOT NULL,
        updated_at        timestamptz NOT NULL DEFAULT now()
      )`);

    // The development SMS adapter's inbox: what a real gateway would have delivered.
    await db.query(`
      CREATE TABLE sms_dev_message (
        id               uuid PRIMARY KEY,
        idempotency_key  text NOT NULL UNIQUE,
        recipient        text NOT NULL,
        body             text NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE sms_dev_message`);
    await db.query(`DROP TABLE notification_preference`);
    await db.query(`DROP TABLE notification`);
  }
}
