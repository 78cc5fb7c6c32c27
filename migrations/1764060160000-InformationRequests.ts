import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Officers' requests for information and the applicants' answers, for every service that pauses a
 * case in INFO_REQUESTED (passports, document authentication): message and answer encrypted.
 */
export class InformationRequests1764060160000 implements MigrationInterface {
  name = 'InformationRequests1764060160000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE information_request (
        id           uuid PRIMARY KEY,
        case_id      uuid NOT NULL REFERENCES "case" (id),
        message      text,
        deadline     date NOT NULL,
        requested_at timestamptz NOT NULL,
        answer       text,
        answered_at  timestamptz
      )`);
    await db.query(`CREATE INDEX information_request_case_idx ON information_request (case_id, requested_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE information_request`);
  }
}
