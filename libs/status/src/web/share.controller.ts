import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApplicantRoute, Public, RateLimitErrors } from '@app/platform';
import { StatusErrors } from '../errors.js';
import { type CreatedShareCode, type ShareCodeCheck, ShareCodesService } from '../share-codes.service.js';
import { CheckShareCodeDto, CreateShareCodeDto, RevokeShareCodeDto } from './dto.js';
import { formErrors, isRefusal, text, withRetryAfter } from './page-support.js';

@ApiTags('share codes')
@Controller('api/v1/share-codes')
export class ShareCheckApiController {
  constructor(private readonly shareCodes: ShareCodesService) {}

  @Post()
  @ApplicantRoute()
  @ApiOperation({ summary: 'The holder creates a share code for an issued document (30 days). The code is shown only in this answer.' })
  create(@Body() body: CreateShareCodeDto, @Req() request: FastifyRequest): Promise<CreatedShareCode> {
    return this.shareCodes.create(body.accessToken, body.documentId, request.locale);
  }

  @Post('revoke')
  @HttpCode(204)
  @ApplicantRoute()
  @ApiOperation({ summary: 'The holder cancels a share code.' })
  async revoke(@Body() body: RevokeShareCodeDto): Promise<void> {
    await this.shareCodes.revoke(body.accessToken, body.shareCodeId);
  }

  @Post('check')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: "A third party checks a share code: the document's validity and what it shows. Each use is logged for the holder.",
  })
  check(@Body() body: CheckShareCodeDto, @Req() request: FastifyRequest): Promise<ShareCodeCheck> {
    return this.shareCodes.check(body, { ip: request.ip, locale: request.locale });
  }
}

@ApiExcludeController()
@Public()
@Controller('share')
export class SharePagesController {
  constructor(private readonly shareCodes: ShareCodesService) {}

  @Get()
  form(@Res() reply: FastifyReply): FastifyReply {
    return reply.view('status/share-check.njk', { values: {} });
  }

  @Post()
  @HttpCode(200)
  async check(@Body() body: Record<string, unknown>, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const values = { code: text(body.code), organisation: text(body.organisation) };
    try {
      const result = await this.shareCodes.check(values, { ip: request.ip, locale: request.locale });
      return reply.header('cache-control', 'no-store').view('status/share-result.njk', { result });
    } catch (error) {
      if (!isRefusal(error, [StatusErrors.SHARE_CODE_NOT_FOUND, RateLimitErrors.TOO_MANY_REQUESTS])) throw error;
      return withRetryAfter(reply, error)
        .code(error.status)
        .view('status/share-check.njk', { values, ...formErrors(error, 'code') });
    }
  }
}
