import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The citizen side: status look-up log, "my cases" email codes and sessions, share codes and their uses. */
export class CitizenStatus1764057850000 implements MigrationInterface {
  name = 'CitizenStatus1764057850000';

  async up(db: QueryRunner): Promise<void> {
    // Every status look-up, kept without what was typed: the reference and the IP are keyed hashes.
    await db.query(`
      CREATE TABLE status_lookup (
        id              bigserial PRIMARY KEY,
        reference_hash  text,
        ip_hash         text NOT NULL,
        channel         text NOT NULL CHECK (channel IN ('form', 'link', 'my-cases')),
        outcome         text NOT NULL CHECK (outcome IN ('found', 'no-match', 'locked', 'rate-limited')),
        case_id         uuid REFERENCES "case"(id),
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX status_lookup_reference_idx ON status_lookup (reference_hash, created_at) WHERE reference_hash IS NOT NULL`,
    );

    // A one-time code proving control of an email address. Only a keyed hash of the code is kept.
    await db.query(`
      CREATE TABLE email_proof (
        id           uuid PRIMARY KEY,
        email_index  text NOT NULL,
        code_hash    text NOT NULL,
        attempts     integer NOT NULL DEFAULT 0,
        expires_at   timestamptz NOT NULL,
        consumed_at  timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE my_cases_session (
        id           uuid PRIMARY KEY,
        token_hash   text NOT NULL UNIQUE,
        email_index  text NOT NULL,
        expires_at   timestamptz NOT NULL,
        ended_at     timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE share_code (
        id           uuid PRIMARY KEY,
        case_id      uuid NOT NULL REFERENCES "case"(id),
        document_id  uuid NOT NULL REFERENCES generated_document(id),
        code_hash    text NOT NULL UNIQUE,
        code_last3   text NOT NULL,
        expires_at   timestamptz NOT NULL,
        revoked_at   timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX share_code_case_idx ON share_code (case_id, created_at)`);

    await db.query(`
      CREATE TABLE share_code_use (
        id             bigserial PRIMARY KEY,
        share_code_id  uuid NOT NULL REFERENCES share_code(id),
        organisation   text NOT NULL,
        ip_hash        text NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX share_code_use_code_idx ON share_code_use (share_code_id, created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE share_code_use`);
    await db.query(`DROP TABLE share_code`);
    await db.query(`DROP TABLE my_cases_session`);
    await db.query(`DROP TABLE email_proof`);
    await db.query(`DROP TABLE status_lookup`);
  }
}
