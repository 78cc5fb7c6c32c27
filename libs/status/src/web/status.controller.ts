import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig, ApplicantRoute, dateOfBirthFromParts, Public, RateLimitErrors } from '@app/platform';
import { CaseAccess } from '../case-access.js';
import { CaseUpdatesService } from '../case-updates.service.js';
import { type CaseView, CaseViewService } from '../case-view.service.js';
import { DocumentsService } from '../documents.service.js';
import { StatusErrors } from '../errors.js';
import { ShareCodesService } from '../share-codes.service.js';
import { StatusAudit } from '../status-audit.js';
import { StatusCheckService } from '../status-check.service.js';
import { AccessTokenDto, LinkTokenDto, StatusLookupDto, UpdatesDto } from './dto.js';
import { formErrors, isRefusal, linkRefused, privatePage, text, withRetryAfter } from './page-support.js';

const LOOKUP_REFUSALS = [StatusErrors.STATUS_NOT_FOUND, StatusErrors.STATUS_LOOKUP_LOCKED, RateLimitErrors.TOO_MANY_REQUESTS];

@ApiTags('status')
@ApplicantRoute()
@Controller('api/v1/status')
export class StatusApiController {
  constructor(
    private readonly check: StatusCheckService,
    private readonly views: CaseViewService,
    private readonly access: CaseAccess,
    private readonly updates: CaseUpdatesService,
    private readonly audit: StatusAudit,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Look a case up by reference, surname and date of birth.',
    description:
      'An unknown reference and wrong details get the same 404 STATUS_NOT_FOUND. Limited per IP and per reference (429); ten failures in an hour lock the reference for an hour (429 STATUS_LOOKUP_LOCKED).',
  })
  lookUp(@Body() body: StatusLookupDto, @Req() request: FastifyRequest): Promise<CaseView> {
    return this.check.lookUp(body, { ip: request.ip, locale: request.locale });
  }

  @Post('view')
  @HttpCode(200)
  @ApiOperation({ summary: 'The case view again, with the accessToken of an earlier view.' })
  view(@Body() body: AccessTokenDto, @Req() request: FastifyRequest): Promise<CaseView> {
    return this.views.build(this.access.caseIdFromAccess(body.accessToken), request.locale);
  }

  @Post('link')
  @HttpCode(200)
  @ApiOperation({ summary: 'The case view for the token of an emailed link (valid 7 days).' })
  async link(@Body() body: LinkTokenDto, @Req() request: FastifyRequest): Promise<CaseView> {
    const caseId = this.access.caseIdFromEmailLink(body.token);
    await this.audit.record({ channel: 'link', outcome: 'found', ipHash: this.access.ipHash(request.ip), caseId });
    return this.views.build(caseId, request.locale);
  }

  @Post('updates')
  @HttpCode(200)
  @ApiOperation({ summary: 'Choose every update by email, or essential messages only.' })
  async chooseUpdates(@Body() body: UpdatesDto): Promise<{ progressUpdates: boolean }> {
    await this.updates.choose(body.accessToken, body.progressUpdates);
    return { progressUpdates: body.progressUpdates };
  }

  @Post('unsubscribe')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop progress updates with the token of an emailed unsubscribe link.' })
  async unsubscribe(@Body() body: LinkTokenDto): Promise<{ progressUpdates: boolean }> {
    await this.updates.unsubscribe(body.token);
    return { progressUpdates: false };
  }
}

@ApiExcludeController()
@ApplicantRoute()
@Controller('status')
export class StatusPagesController {
  constructor(
    private readonly check: StatusCheckService,
    private readonly views: CaseViewService,
    private readonly access: CaseAccess,
    private readonly documents: DocumentsService,
    private readonly updates: CaseUpdatesService,
    private readonly shareCodes: ShareCodesService,
    private readonly audit: StatusAudit,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Public()
  form(@Res() reply: FastifyReply): FastifyReply {
    return reply.view('status/check.njk', { values: {} });
  }

  @Post()
  @HttpCode(200)
  async lookUp(@Body() body: Record<string, unknown>, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const values = {
      reference: text(body.reference),
      surname: text(body.surname),
      dobDay: text(body.dobDay).trim(),
      dobMonth: text(body.dobMonth).trim(),
      dobYear: text(body.dobYear).trim(),
    };
    const dateOfBirth = dateOfBirthFromParts(values);
    try {
      const view = await this.check.lookUp(
        { reference: values.reference, surname: values.surname, dateOfBirth },
        { ip: request.ip, locale: request.locale },
      );
      return this.renderCase(reply, view);
    } catch (error) {
      if (!isRefusal(error, LOOKUP_REFUSALS)) throw error;
      return withRetryAfter(privatePage(reply), error)
        .code(error.status)
        .view('status/check.njk', { values, ...formErrors(error, 'reference') });
    }
  }

  @Get('link/:token')
  async link(@Param('token') token: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    try {
      const caseId = this.access.caseIdFromEmailLink(token);
      await this.audit.record({ channel: 'link', outcome: 'found', ipHash: this.access.ipHash(request.ip), caseId });
      return this.renderCase(reply, await this.views.build(caseId, request.locale));
    } catch (error) {
      return linkRefused(error, request, reply);
    }
  }

  @Post('view')
  @HttpCode(200)
  async view(@Body() body: Record<string, unknown>, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    try {
      return this.renderCase(reply, await this.views.build(this.access.caseIdFromAccess(body.accessToken), request.locale), body.backTo);
    } catch (error) {
      return linkRefused(error, request, reply);
    }
  }

  @Get('documents/:token')
  async document(@Param('token') token: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    try {
      const file = await this.documents.download(token);
      return privatePage(reply)
        .header('content-type', file.mimeType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(file.bytes);
    } catch (error) {
      return linkRefused(error, request, reply);
    }
  }

  @Post('updates')
  @HttpCode(200)
  async chooseUpdates(
    @Body() body: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    try {
      const wanted = body.progressUpdates === 'yes';
      const caseId = await this.updates.choose(body.accessToken, wanted);
      const notice = request.t(wanted ? 'statusCheck.updates.subscribed' : 'statusCheck.updates.unsubscribed');
      return this.renderCase(reply, await this.views.build(caseId, request.locale), body.backTo, notice);
    } catch (error) {
      return linkRefused(error, request, reply);
    }
  }

  @Get('unsubscribe/:token')
  unsubscribeForm(
    @Param('token') token: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> | FastifyReply {
    try {
      this.updates.checkUnsubscribeLink(token);
      return privatePage(reply).view('status/unsubscribe.njk', { token, done: false });
    } catch (error) {
      return linkRefused(error, request, reply);
    }
  }

  @Post('unsubscribe')
  @HttpCode(200)
  async unsubscribe(
    @Body() body: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    try {
      await this.updates.unsubscribe(body.token);
      return privatePage(reply).view('status/unsubscribe.njk', { done: true });
    } catch (error) {
      return linkRefused(error, request, reply);
    }
  }

  @Post('share-codes')
  @HttpCode(200)
  async createShareCode(
    @Body() body: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    try {
      const created = await this.shareCodes.create(body.accessToken, body.documentId, request.locale);
      const view = await this.views.build(this.access.caseIdFromAccess(body.accessToken), request.locale);
      const document = view.documents.find((d) => d.id === created.documentId);
      return privatePage(reply).view('status/share-created.njk', {
        created,
        document,
        view,
        backTo: text(body.backTo),
        shareUrl: `${this.config.publicBaseUrl.replace(/\/+$/, '')}/share`,
      });
    } catch (error) {
      if (isRefusal(error, [StatusErrors.SHARE_CODE_NOT_ALLOWED, StatusErrors.SHARE_CODE_LIMIT])) {
        const view = await this.views.build(this.access.caseIdFromAccess(body.accessToken), request.locale);
        return this.renderCase(reply.code(error.status), view, body.backTo, null, formErrors(error, 'share'));
      }
      return linkRefused(error, request, reply);
    }
  }

  @Post('share-codes/revoke')
  @HttpCode(200)
  async revokeShareCode(
    @Body() body: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    try {
      await this.shareCodes.revoke(body.accessToken, body.shareCodeId);
      const view = await this.views.build(this.access.caseIdFromAccess(body.accessToken), request.locale);
      return this.renderCase(reply, view, body.backTo, request.t('shareCode.revokedNotice'));
    } catch (error) {
      return linkRefused(error, request, reply);
    }
  }

  private renderCase(reply: FastifyReply, view: CaseView, backTo?: unknown, notice: string | null = null, errors = {}): FastifyReply {
    return privatePage(reply).view('status/case.njk', { view, notice, backTo: backTo === 'my-cases' ? 'my-cases' : 'status', ...errors });
  }
}
