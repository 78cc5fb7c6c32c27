import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource, type EntityManager } from 'typeorm';
import { type AuthenticatedOfficer, DomainException, type FieldError, OfficerRoute, postScopeOf, ValidationException } from '@app/platform';
import { officerActor } from '@app/audit';
import { RequireRecentAuth } from '../auth/recent-auth.js';
import { USERNAME_PATTERN } from '../auth/sign-in.service.js';
import { MfaService } from '../mfa/mfa.service.js';
import type { Officer } from '../officers/officer.entity.js';
import { generateInitialPassword, OfficerService } from '../officers/officer.service.js';
import { field, fieldList, rerender, see } from './forms.js';

type FormFields = Record<string, unknown>;

const NOTICES = new Set(['locked', 'unlocked', 'mfa-reset']);

/**
 * Administrators manage officers. An administrator who sees only their own post manages only its
 * officers (others are 404) and cannot grant the supervisor role; resetting someone's MFA needs a
 * recent password.
 */
@ApiExcludeController()
@OfficerRoute('admin')
@Controller('officer/admin/officers')
export class OfficersAdminController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly officers: OfficerService,
    private readonly mfa: MfaService,
  ) {}

  @Get()
  async list(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query() query: FormFields) {
    // The cursor is the last username shown; anything else (a NUL byte would fail the query) starts over.
    const after = typeof query.after === 'string' && USERNAME_PATTERN.test(query.after) ? query.after : null;
    const page = await this.officers.list(postScopeOf(request.officer!), after);
    return reply.view('identity/officers.njk', {
      officers: page.officers.map((officer) => ({
        ...officer,
        roleNames: this.roleNames(request, officer),
        status: this.officers.statusOf(officer),
      })),
      nextHref: page.nextAfter ? `/officer/admin/officers?after=${encodeURIComponent(page.nextAfter)}` : null,
    });
  }

  @Get('new')
  async newPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const admin = request.officer!;
    return reply.view('identity/officer-new.njk', {
      ...(await this.choices(request, admin)),
      form: { username: '', displayName: '', email: '', postCode: admin.postCode, roles: ['officer'] },
    });
  }

  @Post('new')
  @HttpCode(200)
  async create(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: FormFields) {
    const admin = request.officer!;
    const form = {
      username: field(body, 'username', { max: 100 }),
      displayName: field(body, 'displayName', { max: 300 }),
      email: field(body, 'email', { max: 300 }),
      postCode: field(body, 'postCode', { max: 10 }).toUpperCase(),
      roles: fieldList(body, 'roles'),
    };
    const grantable = this.officers.grantableBy(admin);
    const outOfReach: FieldError[] = [];
    if (grantable.postCode && form.postCode !== grantable.postCode)
      outOfReach.push({ field: 'postCode', messages: ['identity.validation.postNotAllowed'] });
    if (form.roles.some((role) => !grantable.roles.includes(role as never)))
      outOfReach.push({ field: 'roles', messages: ['identity.validation.roleNotAllowed'] });
    const data = { ...(await this.choices(request, admin)), form };
    if (outOfReach.length) return rerender(request, reply, 'identity/officer-new.njk', outOfReach, data);
    const password = generateInitialPassword();
    try {
      const created = await this.dataSource.transaction((manager) =>
        this.officers.create(manager, { ...form, password, mustChangePassword: true }, officerActor(admin)),
      );
      return reply.view('identity/officer-created.njk', { id: created.id, username: created.username, password });
    } catch (error) {
      if (error instanceof ValidationException) return rerender(request, reply, 'identity/officer-new.njk', error.fieldErrors, data);
      throw error;
    }
  }

  @Get(':id')
  async detail(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string, @Query() query: FormFields) {
    const target = await this.officers.findInScope(this.dataSource.manager, id, postScopeOf(request.officer!));
    return reply.view('identity/officer.njk', {
      target,
      roleNames: this.roleNames(request, target),
      status: this.officers.statusOf(target),
      self: target.id === request.officer!.id,
      notice: typeof query.notice === 'string' && NOTICES.has(query.notice) ? query.notice : null,
    });
  }

  @Post(':id/lock')
  async lock(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string) {
    await this.onOther(request, id, (manager, target, admin) => this.officers.lock(manager, target, officerActor(admin), request.ip));
    return see(reply, `/officer/admin/officers/${id}?notice=locked`);
  }

  @Post(':id/unlock')
  async unlock(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string) {
    await this.onOther(request, id, (manager, target, admin) => this.officers.unlock(manager, target, officerActor(admin), request.ip));
    return see(reply, `/officer/admin/officers/${id}?notice=unlocked`);
  }

  @Get(':id/reset-mfa')
  @RequireRecentAuth()
  async resetMfaPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string) {
    const target = await this.officers.findInScope(this.dataSource.manager, id, postScopeOf(request.officer!));
    return reply.view('identity/reset-mfa.njk', { target });
  }

  @Post(':id/reset-mfa')
  @RequireRecentAuth()
  async resetMfa(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string) {
    await this.onOther(request, id, (manager, target, admin) => this.mfa.reset(manager, target, officerActor(admin), request.ip));
    return see(reply, `/officer/admin/officers/${id}?notice=mfa-reset`);
  }

  /** Runs an action on another officer in scope, in one transaction; an administrator cannot lock or reset themselves. */
  private async onOther(
    request: FastifyRequest,
    id: string,
    action: (manager: EntityManager, target: Officer, admin: AuthenticatedOfficer) => Promise<void>,
  ): Promise<void> {
    const admin = request.officer!;
    await this.dataSource.transaction(async (manager) => {
      const target = await this.officers.findInScope(manager, id, postScopeOf(admin));
      if (target.id === admin.id) throw new DomainException('FORBIDDEN', 'Ask another administrator to change your own account.');
      await action(manager, target, admin);
    });
  }

  private roleNames(request: FastifyRequest, officer: Officer): string {
    return officer.roles.map((role) => request.t(`identity.role.${role}`)).join(', ');
  }

  private async choices(request: FastifyRequest, admin: AuthenticatedOfficer) {
    const grantable = this.officers.grantableBy(admin);
    const posts = (await this.dataSource.query(`SELECT code, name_en, name_zh FROM post ORDER BY code`)) as {
      code: string;
      name_en: string;
      name_zh: string;
    }[];
    return {
      roles: grantable.roles,
      posts: posts
        .filter((post) => !grantable.postCode || post.code === grantable.postCode)
        .map((post) => ({ value: post.code, label: `${post.code} — ${request.locale === 'zh-Hant' ? post.name_zh : post.name_en}` })),
    };
  }
}
