import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { AuditLog, officerActor } from '@app/audit';
import { describeStatus } from '@app/notifications';
import { DomainException, FileRecord, FileService, OfficerRoute, UntypedBody } from '@app/platform';
import { PassportErrors } from '../errors.js';
import { PassportService } from '../passports.service.js';
import { type FulfilmentStep, PassportFulfilmentService } from './passport-fulfilment.service.js';

type Form = Record<string, unknown>;

/** The officers' page for an approved passport: print, dispatch (HQ), ready and collected (the collecting post); and the photo. */
@ApiExcludeController()
@OfficerRoute()
@Controller('officer/passports')
export class PassportFulfilmentController {
  constructor(
    private readonly fulfilment: PassportFulfilmentService,
    private readonly passports: PassportService,
    private readonly files: FileService,
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  @Get(':caseId')
  async page(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('caseId', ParseUUIDPipe) caseId: string): Promise<void> {
    const { current, atHq } = await this.fulfilment.load(request.officer!, caseId);
    const view = await this.passports.view(caseId);
    await reply.code(200).view('passports/officer/fulfilment.njk', {
      current,
      atHq,
      atCollectingPost: request.officer!.postCode === current.postCode,
      view,
      statusLabel: describeStatus(request.t, current.service, current.status).label,
    });
  }

  /** The applicant's photo, for checking it against the person; each view is audited as a read of personal data. */
  @Get(':caseId/photo')
  async photo(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('caseId', ParseUUIDPipe) caseId: string): Promise<void> {
    const { current } = await this.fulfilment.load(request.officer!, caseId);
    const view = await this.passports.view(caseId);
    const record = view?.photoFileId ? await this.dataSource.manager.findOneBy(FileRecord, { id: view.photoFileId }) : null;
    if (!record) throw new DomainException(PassportErrors.PASSPORT_NOT_FOUND, 'This application has no photo.');
    await this.audit.record(this.dataSource.manager, {
      action: 'passport.photo_viewed',
      actor: officerActor(request.officer!),
      target: { type: 'case', id: caseId },
      postCode: current.postCode,
    });
    await reply
      .code(200)
      .header('content-type', record.mimeType)
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(await this.files.read(record));
  }

  @Post(':caseId/print')
  @HttpCode(303)
  print(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @UntypedBody() body: Form,
  ) {
    return this.move(request, reply, caseId, 'print', body);
  }

  @Post(':caseId/dispatch')
  @HttpCode(303)
  dispatch(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @UntypedBody() body: Form,
  ) {
    return this.move(request, reply, caseId, 'dispatch', body);
  }

  @Post(':caseId/ready')
  @HttpCode(303)
  ready(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @UntypedBody() body: Form,
  ) {
    return this.move(request, reply, caseId, 'ready', body);
  }

  @Post(':caseId/collect')
  @HttpCode(303)
  collect(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @UntypedBody() body: Form,
  ) {
    return this.move(request, reply, caseId, 'collect', body);
  }

  private async move(request: FastifyRequest, reply: FastifyReply, caseId: string, step: FulfilmentStep, body: Form): Promise<void> {
    await this.fulfilment.move(request.officer!, caseId, step, body);
    await reply.redirect(`/officer/passports/${caseId}`, 303);
  }
}
