import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DomainException, type PostScope } from '@app/platform';
import { CaseErrors, CaseRecord } from '@app/cases';

/**
 * Post scoping lives in the queries, not in the guard: an officer who sees only their own post
 * gets only their post's rows, and a row from another post is as unknown as a missing one (404).
 * Get the scope with `postScopeOf(request.officer)` from @app/platform.
 */

/** Adds `<column> = :scopePostCode` to a TypeORM query unless the scope covers every post. */
export function applyPostScope<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  column: string,
  scope: PostScope,
): SelectQueryBuilder<T> {
  return scope.allPosts ? query : query.andWhere(`${column} = :scopePostCode`, { scopePostCode: scope.postCode });
}

/**
 * For raw SQL: a condition on `column` and the parameter it needs, appended to `params`
 * (so `$n` numbering follows whatever is already there). `TRUE` when the scope covers every post.
 *
 *   const params: unknown[] = [status];
 *   const where = postScopeSql(scope, 'c.post_code', params);
 *   manager.query(`SELECT … FROM "case" c WHERE c.status = $1 AND ${where}`, params);
 */
export function postScopeSql(scope: PostScope, column: string, params: unknown[]): string {
  if (scope.allPosts) return 'TRUE';
  params.push(scope.postCode);
  return `${column} = $${params.length}`;
}

export function inPostScope(scope: PostScope, postCode: string): boolean {
  return scope.allPosts || scope.postCode === postCode;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Loads a case the scope may see; another post's case, like a missing one, is 404 CASE_NOT_FOUND. Pass `lock` to take FOR UPDATE. */
export async function findCaseInScope(manager: EntityManager, caseId: string, scope: PostScope, lock = false): Promise<CaseRecord> {
  const query = manager.getRepository(CaseRecord).createQueryBuilder('c').where('c.id = :caseId', { caseId });
  applyPostScope(query, 'c.postCode', scope);
  if (lock) query.setLock('pessimistic_write');
  const found = UUID.test(caseId) ? await query.getOne() : null;
  if (!found) throw new DomainException(CaseErrors.CASE_NOT_FOUND, 'No such case.');
  return found;
}
