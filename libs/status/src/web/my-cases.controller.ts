import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig, ApplicantRoute, DomainException, RateLimitErrors } from '@app/platform';
import { type CaseView, CaseViewService } from '../case-view.service.js';
import { StatusErrors } from '../errors.js';
import { type CodeRequested, MY_CASES_SESSION_SECONDS, type MyCasesOverview, MyCasesService } from '../my-cases.service.js';
import { StatusAudit } from '../status-audit.js';
import { CaseAccess } from '../case-access.js';
import { RequestCodeDto, VerifyCodeDto } from './dto.js';
import { formErrors, isRefusal, privatePage, text, withRetryAfter } from './page-support.js';

/** Its own cookie, separate from officer sessions: HttpOnly, SameSite=Lax, Secure (and __Host-) in production. */
class MyCasesCookie {
  readonly name: string;
  constructor(private readonly config: AppConfig) {
    this.name = config.env === 'production' ? '__Host-mycases' : 'mycases';
  }

  read(request: FastifyRequest): string | undefined {
    return request.cookies?.[this.name];
  }

  set(reply: FastifyReply, token: string): void {
    reply.setCookie(this.name, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.env === 'production',
      maxAge: MY_CASES_SESSION_SECONDS,
    });
  }

  clear(reply: FastifyReply): void {
    reply.clearCookie(this.name, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.config.env === 'production' });
  }
}

@ApiTags('my cases')
@ApplicantRoute()
@Controller('api/v1/my-cases')
export class MyCasesApiController {
  private readonly cookie: MyCasesCookie;

  constructor(
    private readonly myCases: MyCasesService,
    private readonly views: CaseViewService,
    private readonly audit: StatusAudit,
    private readonly access: CaseAccess,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cookie = new MyCasesCookie(config);
  }

  @Post('code')
  @HttpCode(200)
  @ApiOperation({ summary: 'Email a 6-digit code (10 minutes, 5 tries, single use) to prove control of an address.' })
  requestCode(@Body() body: RequestCodeDto, @Req() request: FastifyRequest): Promise<CodeRequested> {
    return this.myCases.requestCode(body.email, { ip: request.ip, locale: request.locale });
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check the code; on success a 30-minute session cookie is set.' })
  async verify(
    @Body() body: VerifyCodeDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ expiresAt: Date }> {
    const session = await this.myCases.verifyCode(body.proofId, body.code, request.locale);
    this.cookie.set(reply, session.token);
    return { expiresAt: session.expiresAt };
  }

  @Get()
  @ApiOperation({ summary: "Every case of the session's email address, and their applicant-visible history." })
  overview(@Req() request: FastifyRequest): Promise<MyCasesOverview> {
    return this.myCases.overview(this.cookie.read(request), request.locale);
  }

  @Get('cases/:caseId')
  async case(@Param('caseId') caseId: string, @Req() request: FastifyRequest): Promise<CaseView> {
    const id = await this.myCases.caseOf(this.cookie.read(request), caseId, request.locale);
    await this.audit.record({ channel: 'my-cases', outcome: 'found', ipHash: this.access.ipHash(request.ip), caseId: id });
    return this.views.build(id, request.locale);
  }

  @Post('sign-out')
  @HttpCode(204)
  async signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.myCases.signOut(this.cookie.read(request));
    this.cookie.clear(reply);
  }
}

@ApiExcludeController()
@ApplicantRoute()
@Controller('my-cases')
export class MyCasesPagesController {
  private readonly cookie: MyCasesCookie;

  constructor(
    private readonly myCases: MyCasesService,
    private readonly views: CaseViewService,
    private readonly audit: StatusAudit,
    private readonly access: CaseAccess,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cookie = new MyCasesCookie(config);
  }

  @Get()
  async home(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const token = this.cookie.read(request);
    if (!token) return privatePage(reply).view('status/my-cases-email.njk', { values: {} });
    try {
      const overview = await this.myCases.overview(token, request.locale);
      return privatePage(reply).view('status/my-cases-list.njk', { overview });
    } catch (error) {
      if (!(error instanceof DomainException && error.code === StatusErrors.MY_CASES_SIGNED_OUT)) throw error;
      this.cookie.clear(reply);
      return privatePage(reply).view('status/my-cases-email.njk', { values: {}, notice: error.message });
    }
  }

  @Post('code')
  @HttpCode(200)
  async requestCode(
    @Body() body: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const values = { email: text(body.email) };
    try {
      const requested = await this.myCases.requestCode(values.email, { ip: request.ip, locale: request.locale });
      return privatePage(reply).view('status/my-cases-code.njk', { requested, values: {} });
    } catch (error) {
      if (!isRefusal(error, [RateLimitErrors.TOO_MANY_REQUESTS, StatusErrors.EMAIL_UNAVAILABLE])) throw error;
      return withRetryAfter(privatePage(reply), error)
        .code(error.status)
        .view('status/my-cases-email.njk', { values, ...formErrors(error, 'email') });
    }
  }

  @Post('verify')
  @HttpCode(200)
  async verify(@Body() body: Record<string, unknown>, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    try {
      const session = await this.myCases.verifyCode(body.proofId, body.code, request.locale);
      this.cookie.set(reply, session.token);
      return reply.redirect('/my-cases', 303);
    } catch (error) {
      if (!isRefusal(error, [StatusErrors.EMAIL_CODE_INVALID, StatusErrors.EMAIL_CODE_LOCKED])) throw error;
      const requested = { proofId: text(body.proofId), maskedEmail: text(body.maskedEmail) };
      const spent = error.code === StatusErrors.EMAIL_CODE_INVALID || error.code === StatusErrors.EMAIL_CODE_LOCKED;
      return privatePage(reply)
        .code(error.status)
        .view('status/my-cases-code.njk', { requested, spent, values: {}, ...formErrors(error, 'code') });
    }
  }

  @Get('cases/:caseId')
  async case(@Param('caseId') caseId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    try {
      const id = await this.myCases.caseOf(this.cookie.read(request), caseId, request.locale);
      await this.audit.record({ channel: 'my-cases', outcome: 'found', ipHash: this.access.ipHash(request.ip), caseId: id });
      return privatePage(reply).view('status/case.njk', { view: await this.views.build(id, request.locale), backTo: 'my-cases' });
    } catch (error) {
      if (!(error instanceof DomainException && error.code === StatusErrors.MY_CASES_SIGNED_OUT)) throw error;
      return privatePage(reply).code(401).view('status/my-cases-email.njk', { values: {}, notice: error.message });
    }
  }

  @Post('sign-out')
  @HttpCode(200)
  async signOut(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    await this.myCases.signOut(this.cookie.read(request));
    this.cookie.clear(reply);
    return reply.redirect('/my-cases', 303);
  }
}
