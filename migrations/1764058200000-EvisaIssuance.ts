import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * eVisa issuance and verification: the seal made once per eVisa (FieldCipher ciphertext, as it
 * holds the MRZ and the passport number), and the record of public verification look-ups (no
 * personal data: when, how, what answer, and a keyed hash of the caller's IP).
 */
export class EvisaIssuance1764058200000 implements MigrationInterface {
  name = 'EvisaIssuance1764058200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE evisa_application ADD COLUMN seal text`);
    await db.query(`
      CREATE TABLE verification_lookup (
        id          bigserial PRIMARY KEY,
        created_at  timestamptz NOT NULL DEFAULT now(),
        kind        text NOT NULL,
        method      text NOT NULL CHECK (method IN ('seal', 'visa_number')),
        result      text NOT NULL CHECK (result IN ('valid', 'expired', 'revoked', 'not_found')),
        ip_hash     text NOT NULL
      )`);
    await db.query(`CREATE INDEX verification_lookup_created_idx ON verification_lookup (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE verification_lookup`);
    await db.query(`ALTER TABLE evisa_application DROP COLUMN seal`);
  }
}
