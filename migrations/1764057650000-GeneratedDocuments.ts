import type { MigrationInterface, QueryRunner } from 'typeorm';

export class GeneratedDocuments1764057650000 implements MigrationInterface {
  name = 'GeneratedDocuments1764057650000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE generated_document (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id     uuid NOT NULL REFERENCES "case"(id),
        kind        text NOT NULL,
        locale      text NOT NULL,
        file_id     uuid NOT NULL REFERENCES file(id),
        created_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (case_id, kind, locale)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE generated_document`);
  }
}
