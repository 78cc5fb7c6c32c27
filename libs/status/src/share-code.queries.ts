import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ShareCodeUseEntry {
  organisation: string;
  at: Date;
}

/** A share code as its holder sees it: never the code itself after creation, only its last characters. */
export interface HolderShareCode {
  id: string;
  documentId: string;
  documentKind: string;
  codeEnding: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  active: boolean;
  uses: ShareCodeUseEntry[];
}

@Injectable()
export class ShareCodeQueries {
  constructor(private readonly dataSource: DataSource) {}

  async forCase(caseId: string): Promise<HolderShareCode[]> {
    const codes = (await this.dataSource.query(
      `SELECT s.id, s.document_id AS "documentId", g.kind AS "documentKind", s.code_last3 AS "codeEnding", s.created_at AS "createdAt",
              s.expires_at AS "expiresAt", s.revoked_at AS "revokedAt", (s.revoked_at IS NULL AND s.expires_at > now()) AS active
         FROM share_code s JOIN generated_document g ON g.id = s.document_id
        WHERE s.case_id = $1 ORDER BY s.created_at DESC`,
      [caseId],
    )) as Omit<HolderShareCode, 'uses'>[];
    const uses = (await this.dataSource.query(
      `SELECT u.share_code_id AS "shareCodeId", u.organisation, u.created_at AS at
         FROM share_code_use u JOIN share_code s ON s.id = u.share_code_id
        WHERE s.case_id = $1 ORDER BY u.created_at DESC`,
      [caseId],
    )) as (ShareCodeUseEntry & { shareCodeId: string })[];
    return codes.map((code) => ({
      ...code,
      uses: uses.filter((use) => use.shareCodeId === code.id).map(({ organisation, at }) => ({ organisation, at })),
    }));
  }
}
