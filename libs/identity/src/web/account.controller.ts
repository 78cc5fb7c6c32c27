import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { Clock, type FieldError, OfficerRoute } from '@app/platform';
import { officerActor } from '@app/audit';
import { SignInFlow } from '../auth/sign-in-flow.js';
import { sessionOf } from '../auth/request-credentials.js';
import { Officer } from '../officers/officer.entity.js';
import { OfficerService } from '../officers/officer.service.js';
import { AccessTokenService } from '../tokens/access-token.service.js';
import type { AccessToken } from '../tokens/access-token.entity.js';
import { field, orRerender, rerender, safeReturnPath, see } from './forms.js';

type FormFields = Record<string, unknown>;

const NOTICES = new Set(['password', 'reauthenticated']);
const TOKEN_NOTICES = new Set(['revoked']);

/** The signed-in officer's own pages: home, account, password, access tokens, and the password re-check. */
@ApiExcludeController()
@OfficerRoute()
@Controller('officer')
export class AccountController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly officers: OfficerService,
    private readonly tokens: AccessTokenService,
    private readonly flow: SignInFlow,
    private readonly clock: Clock,
  ) {}

  @Get()
  home(@Res() reply: FastifyReply) {
    return reply.view('identity/home.njk');
  }

  @Get('account')
  async account(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query() query: FormFields) {
    const me = await this.dataSource.getRepository(Officer).findOneByOrFail({ id: request.officer!.id });
    const notice = typeof query.notice === 'string' && NOTICES.has(query.notice) ? query.notice : null;
    return reply.view('identity/account.njk', {
      me,
      roleNames: me.roles.map((role) => request.t(`identity.role.${role}`)).join(', '),
      notice,
    });
  }

  @Get('account/password')
  passwordPage(@Res() reply: FastifyReply) {
    return reply.view('identity/password.njk');
  }

  @Post('account/password')
  async changePassword(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: FormFields) {
    const session = sessionOf(request)!;
    const current = field(body, 'current', { trim: false, max: 1024 });
    const password = field(body, 'password', { trim: false, max: 1024 });
    const problems: FieldError[] = [];
    if (!current) problems.push({ field: 'current', messages: ['identity.password.currentMissing'] });
    if (!password) problems.push({ field: 'password', messages: ['identity.password.tooShort'] });
    else if (password !== field(body, 'confirm', { trim: false, max: 1024 }))
      problems.push({ field: 'confirm', messages: ['identity.password.mismatch'] });
    if (problems.length) return rerender(request, reply, 'identity/password.njk', problems);
    if (!(await this.flow.reauthenticate(session, current, request.ip))) {
      return rerender(request, reply, 'identity/password.njk', [{ field: 'current', messages: ['identity.password.currentWrong'] }]);
    }
    return orRerender(request, reply, 'identity/password.njk', {}, async () => {
      const officer = request.officer!;
      await this.dataSource.transaction((manager) =>
        this.officers.changePassword(manager, officer, password, officerActor(officer), request.ip, session.idHash),
      );
      return see(reply, '/officer/account?notice=password');
    });
  }

  @Get('account/tokens')
  async tokensPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query() query: FormFields) {
    const notice = typeof query.notice === 'string' && TOKEN_NOTICES.has(query.notice) ? query.notice : null;
    return reply.view('identity/tokens.njk', { ...(await this.tokenList(request)), form: { name: '', days: '30' }, notice });
  }

  @Post('account/tokens')
  @HttpCode(200)
  async createToken(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: FormFields) {
    const form = { name: field(body, 'name', { max: 200 }), days: field(body, 'days', { max: 10 }) };
    const data = { ...(await this.tokenList(request)), form };
    return orRerender(request, reply, 'identity/tokens.njk', data, async () => {
      const days = /^\d{1,3}$/.test(form.days) ? Number(form.days) : NaN;
      const created = await this.dataSource.transaction((manager) =>
        this.tokens.create(manager, request.officer!, { name: form.name, days }, request.ip),
      );
      return reply.view('identity/token-created.njk', { token: created.token, name: created.record.name });
    });
  }

  @Post('account/tokens/:id/revoke')
  async revokeToken(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string) {
    await this.dataSource.transaction((manager) => this.tokens.revoke(manager, request.officer!, id, request.ip));
    return see(reply, '/officer/account/tokens?notice=revoked');
  }

  @Get('reauth')
  reauthPage(@Res() reply: FastifyReply, @Query() query: FormFields) {
    return reply.view('identity/reauth.njk', { next: safeReturnPath(query.next) ?? '' });
  }

  @Post('reauth')
  async reauthenticate(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: FormFields) {
    const next = safeReturnPath(field(body, 'next'));
    const password = field(body, 'password', { trim: false, max: 1024 });
    const session = sessionOf(request)!;
    if (!password || !(await this.flow.reauthenticate(session, password, request.ip))) {
      return rerender(request, reply, 'identity/reauth.njk', [{ field: 'password', messages: ['identity.reauth.error'] }], {
        next: next ?? '',
      });
    }
    return see(reply, next ?? '/officer/account?notice=reauthenticated');
  }

  private async tokenList(request: FastifyRequest): Promise<{ tokens: (AccessToken & { state: string })[] }> {
    const now = this.clock.now();
    const tokens = await this.tokens.list(request.officer!.id);
    return {
      tokens: tokens.map((token) => ({ ...token, state: token.revokedAt ? 'revoked' : token.expiresAt <= now ? 'expired' : 'active' })),
    };
  }
}
