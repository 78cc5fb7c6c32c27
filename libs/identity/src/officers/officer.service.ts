import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, DomainException, type FieldError, type PostScope, type Role, ROLES, ValidationException } from '@app/platform';
import { AuditLog, type AuditActor } from '@app/audit';
import { IdentityErrors } from '../errors.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { checkPassword } from '../passwords/password-policy.js';
import { USERNAME_PATTERN } from '../auth/sign-in.service.js';
import { inPostScope } from '../scope/post-scope.js';
import { SessionService } from '../sessions/session.service.js';
import { Officer } from './officer.entity.js';

export interface NewOfficer {
  username: string;
  displayName: string;
  /** Optional: a work address. */
  email?: string | null;
  postCode: string;
  roles: string[];
  password: string;
  /** True when someone other than the officer chose the password. */
  mustChangePassword: boolean;
}

/** How to reach an officer: for alerts and escalation emails. */
export interface OfficerContact {
  id: string;
  displayName: string;
  email: string | null;
}

export type OfficerStatus = 'active' | 'locked' | 'disabled' | 'awaiting-enrolment';

export interface OfficerListPage {
  officers: Officer[];
  /** Pass as `after` for the next page; null on the last page. */
  nextAfter: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A random initial password (about 100 bits), handed over out of band and changed at the first sign-in. */
export function generateInitialPassword(): string {
  const groups = Array.from({ length: 5 }, () =>
    Array.from({ length: 4 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join(''),
  );
  return groups.join('-');
}

/**
 * Officer accounts. Field problems are reported as message keys (`identity.*`), which pages
 * translate. Every change is audited in the same transaction.
 */
@Injectable()
export class OfficerService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async create(manager: EntityManager, input: NewOfficer, actor: AuditActor): Promise<Officer> {
    const officer = {
      username: input.username.trim().toLowerCase(),
      displayName: input.displayName.trim(),
      email: input.email?.trim() || null,
      postCode: input.postCode.trim().toUpperCase(),
      roles: [...new Set(input.roles)],
    };
    const problems: FieldError[] = [];
    if (!USERNAME_PATTERN.test(officer.username)) problems.push({ field: 'username', messages: ['identity.validation.username'] });
    if (!officer.displayName || officer.displayName.length > 200)
      problems.push({ field: 'displayName', messages: ['identity.validation.displayName'] });
    if (officer.email && (!EMAIL.test(officer.email) || officer.email.length > 254))
      problems.push({ field: 'email', messages: ['identity.validation.email'] });
    if (officer.roles.length === 0 || officer.roles.some((role) => !(ROLES as readonly string[]).includes(role))) {
      problems.push({ field: 'roles', messages: ['identity.validation.roles'] });
    }
    const [post] = (await manager.query(`SELECT code FROM post WHERE code = $1`, [officer.postCode])) as unknown[];
    if (!post) problems.push({ field: 'postCode', messages: ['identity.validation.post'] });
    const passwordProblem = checkPassword(input.password, officer.username);
    if (passwordProblem) problems.push({ field: 'password', messages: [`identity.password.${passwordProblem}`] });
    if (problems.length) throw new ValidationException(problems);
    if (await manager.getRepository(Officer).existsBy({ username: officer.username })) {
      throw new ValidationException([{ field: 'username', messages: ['identity.validation.usernameTaken'] }]);
    }
    const now = this.clock.now();
    const [{ id }] = (await manager.query(
      `INSERT INTO officer (username, display_name, email, roles, post_code, password_hash, password_changed_at, must_change_password,
                            created_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$7,$7) RETURNING id`,
      [
        officer.username,
        officer.displayName,
        officer.email,
        officer.roles,
        officer.postCode,
        await this.hasher.hash(input.password),
        now,
        input.mustChangePassword,
      ],
    )) as [{ id: string }];
    await this.audit.record(manager, {
      action: 'officer.created',
      actor,
      target: { type: 'officer', id },
      postCode: officer.postCode,
      details: { username: officer.username, roles: officer.roles },
    });
    return manager.getRepository(Officer).findOneByOrFail({ id });
  }

  /** Officers the scope can see, by username, 50 a page. */
  /** Active supervisors who oversee a post: the post's own and those at headquarters. */
  async supervisorsOf(manager: EntityManager, postCode: string): Promise<OfficerContact[]> {
    return this.contacts(manager, `o.active AND 'supervisor' = ANY(o.roles) AND (o.post_code = $1 OR p.kind = 'hq')`, [postCode]);
  }

  /** The officer, if active and allowed to work cases of the post (their own post, HQ, or a supervisor). */
  async findAssignable(manager: EntityManager, officerId: string, postCode: string): Promise<OfficerContact | null> {
    if (!UUID.test(officerId)) return null;
    const [found] = await this.contacts(
      manager,
      `o.id = $2 AND o.active AND (o.post_code = $1 OR p.kind = 'hq' OR 'supervisor' = ANY(o.roles))`,
      [postCode, officerId],
    );
    return found ?? null;
  }

  private async contacts(manager: EntityManager, where: string, params: unknown[]): Promise<OfficerContact[]> {
    const rows = (await manager.query(
      `SELECT o.id, o.display_name, o.email FROM officer o JOIN post p ON p.code = o.post_code WHERE ${where} ORDER BY o.username`,
      params,
    )) as { id: string; display_name: string; email: string | null }[];
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, email: r.email }));
  }

  async list(scope: PostScope, after: string | null, pageSize = 50): Promise<OfficerListPage> {
    const query = this.dataSource.getRepository(Officer).createQueryBuilder('o');
    if (!scope.allPosts) query.andWhere('o.postCode = :postCode', { postCode: scope.postCode });
    if (after) query.andWhere('o.username > :after', { after });
    const rows = await query
      .orderBy('o.username', 'ASC')
      .limit(pageSize + 1)
      .getMany();
    const more = rows.length > pageSize;
    const officers = more ? rows.slice(0, pageSize) : rows;
    return { officers, nextAfter: more ? officers[officers.length - 1]!.username : null };
  }

  /** An officer inside the scope; one outside it is as unknown as one that does not exist (404). */
  async findInScope(manager: EntityManager, id: string, scope: PostScope): Promise<Officer> {
    const officer = UUID.test(id) ? await manager.getRepository(Officer).findOneBy({ id }) : null;
    if (!officer || !inPostScope(scope, officer.postCode)) {
      throw new DomainException(IdentityErrors.OFFICER_NOT_FOUND, 'No such officer.');
    }
    return officer;
  }

  statusOf(officer: Officer): OfficerStatus {
    if (!officer.active) return 'disabled';
    if (officer.lockedUntil && officer.lockedUntil > this.clock.now()) return 'locked';
    if (!officer.totpSecret) return 'awaiting-enrolment';
    return 'active';
  }

  /** An administrator's lock: lasts until an administrator unlocks it, and ends every session at once. */
  async lock(manager: EntityManager, target: Officer, actor: AuditActor, ip: string | null): Promise<void> {
    await manager.query(`UPDATE officer SET active = false, updated_at = $2 WHERE id = $1`, [target.id, this.clock.now()]);
    await this.sessions.destroyAllFor(manager, target.id);
    await this.audit.record(manager, {
      action: 'officer.locked',
      actor,
      target: { type: 'officer', id: target.id },
      postCode: target.postCode,
      ip,
      details: { reason: 'administrator' },
    });
  }

  /** Lifts an administrator's lock and an automatic lock-out alike. */
  async unlock(manager: EntityManager, target: Officer, actor: AuditActor, ip: string | null): Promise<void> {
    await manager.query(`UPDATE officer SET active = true, locked_until = NULL, failed_attempts = 0, updated_at = $2 WHERE id = $1`, [
      target.id,
      this.clock.now(),
    ]);
    await this.audit.record(manager, {
      action: 'officer.unlocked',
      actor,
      target: { type: 'officer', id: target.id },
      postCode: target.postCode,
      ip,
    });
  }

  /**
   * Sets a new password chosen by the officer. Other sessions end (ASVS 3.3.3); `keepSessionIdHash`
   * is the one the change was made from.
   */
  async changePassword(
    manager: EntityManager,
    officer: { id: string; username: string; postCode: string },
    password: string,
    actor: AuditActor,
    ip: string | null,
    keepSessionIdHash?: string,
  ): Promise<void> {
    const problem = checkPassword(password, officer.username);
    if (problem) throw new ValidationException([{ field: 'password', messages: [`identity.password.${problem}`] }]);
    const current = await manager.getRepository(Officer).findOneByOrFail({ id: officer.id });
    if (await this.hasher.verify(current.passwordHash, password)) {
      throw new ValidationException([{ field: 'password', messages: ['identity.password.unchanged'] }]);
    }
    await manager.query(
      `UPDATE officer SET password_hash = $2, password_changed_at = $3, must_change_password = false, updated_at = $3 WHERE id = $1`,
      [officer.id, await this.hasher.hash(password), this.clock.now()],
    );
    await this.sessions.destroyAllFor(manager, officer.id, keepSessionIdHash);
    await this.audit.record(manager, {
      action: 'officer.password_changed',
      actor,
      target: { type: 'officer', id: officer.id },
      postCode: officer.postCode,
      ip,
    });
  }

  /** Which roles an administrator may grant, and at which posts: one who sees only their post grants neither supervisor nor another post. */
  grantableBy(admin: { postCode: string; seesAllPosts: boolean }): { roles: readonly Role[]; postCode: string | null } {
    return admin.seesAllPosts ? { roles: ROLES, postCode: null } : { roles: ['officer', 'admin'], postCode: admin.postCode };
  }
}
