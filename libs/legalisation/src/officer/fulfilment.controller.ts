import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeStatus } from '@app/notifications';
import { OfficerRoute } from '@app/platform';
import { FulfilmentService } from './fulfilment.service.js';

/** The officer's page for an authenticated request: hand over or post the documents, then complete. */
@ApiExcludeController()
@OfficerRoute()
@Controller('officer/legalisation')
export class FulfilmentController {
  constructor(private readonly fulfilment: FulfilmentService) {}

  @Get(':caseId')
  async page(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('caseId', ParseUUIDPipe) caseId: string): Promise<void> {
    const { current, delivery } = await this.fulfilment.load(request.officer!, caseId);
    await reply.code(200).view('legalisation/officer/fulfilment.njk', {
      current,
      delivery,
      statusLabel: describeStatus(request.t, current.service, current.status).label,
    });
  }

  @Post(':caseId/dispatch')
  @HttpCode(303)
  async dispatch(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Body() body: unknown,
  ): Promise<void> {
    await this.fulfilment.dispatch(request.officer!, caseId, versionIn(body));
    await reply.redirect(`/officer/legalisation/${caseId}`, 303);
  }

  @Post(':caseId/complete')
  @HttpCode(303)
  async complete(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Body() body: unknown,
  ): Promise<void> {
    await this.fulfilment.complete(request.officer!, caseId, versionIn(body));
    await reply.redirect(`/officer/legalisation/${caseId}`, 303);
  }
}

/** The version the form carried; checked by the service after the post scope, so another post's officer learns nothing. */
function versionIn(body: unknown): unknown {
  return body && typeof body === 'object' ? (body as Record<string, unknown>).expectedVersion : undefined;
}
