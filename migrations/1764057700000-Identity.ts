import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Officers, their MFA recovery codes, server-side sessions and personal access tokens. */
export class Identity1764057700000 implements MigrationInterface {
  name = 'Identity1764057700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE officer (
        id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username              text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
        display_name          text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
        email                 text CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
        roles                 text[] NOT NULL CHECK (cardinality(roles) >= 1 AND roles <@ ARRAY['officer','supervisor','admin']),
        post_code             text NOT NULL REFERENCES post(code),
        password_hash         text NOT NULL,
        password_changed_at   timestamptz NOT NULL,
        must_change_password  boolean NOT NULL DEFAULT false,
        totp_secret           text,
        totp_enrolled_at      timestamptz,
        totp_last_step        bigint,
        active                boolean NOT NULL DEFAULT true,
        failed_attempts       integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
        locked_until          timestamptz,
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX officer_post_idx ON officer (post_code, username)`);

    await db.query(`
      CREATE TABLE officer_recovery_code (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        officer_id  uuid NOT NULL REFERENCES officer(id) ON DELETE CASCADE,
        code_hash   text NOT NULL,
        used_at     timestamptz,
        created_at  timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX officer_recovery_code_officer_idx ON officer_recovery_code (officer_id) WHERE used_at IS NULL`);

    // The session id itself never reaches the database: only its SHA-256.
    await db.query(`
      CREATE TABLE officer_session (
        id_hash              text PRIMARY KEY,
        officer_id           uuid NOT NULL REFERENCES officer(id) ON DELETE CASCADE,
        stage                text NOT NULL CHECK (stage IN ('mfa','enrol','password','active')),
        created_at           timestamptz NOT NULL,
        last_seen_at         timestamptz NOT NULL,
        expires_at           timestamptz NOT NULL,
        authenticated_at     timestamptz,
        reauthenticated_at   timestamptz,
        return_to            text,
        pending_totp_secret  text
      )`);
    await db.query(`CREATE INDEX officer_session_officer_idx ON officer_session (officer_id)`);
    await db.query(`CREATE INDEX officer_session_expiry_idx ON officer_session (expires_at)`);

    await db.query(`
      CREATE TABLE officer_access_token (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        officer_id    uuid NOT NULL REFERENCES officer(id) ON DELETE CASCADE,
        name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
        token_hash    text NOT NULL UNIQUE,
        token_hint    text NOT NULL,
        created_at    timestamptz NOT NULL,
        expires_at    timestamptz NOT NULL,
        last_used_at  timestamptz,
        revoked_at    timestamptz
      )`);
    await db.query(`CREATE INDEX officer_access_token_officer_idx ON officer_access_token (officer_id, created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE officer_access_token`);
    await db.query(`DROP TABLE officer_session`);
    await db.query(`DROP TABLE officer_recovery_code`);
    await db.query(`DROP TABLE officer`);
  }
}
