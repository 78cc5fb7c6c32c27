import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public, UntypedBody, ValidationException } from '@app/platform';
import { AbtcService, type SubmissionResult } from '../abtc.service.js';

/**
 * The ABTC for API clients: submitting an application (an optional Idempotency-Key returns the
 * first result again). No personal data in any URL.
 */
@ApiTags('abtc')
@Public()
@Controller('api/v1/abtc')
export class AbtcApiController {
  constructor(private readonly applications: AbtcService) {}

  @Post('applications')
  @HttpCode(201)
  @ApiOperation({ summary: 'Submit an ABTC application ({ applicant, passport, business }); the case opens SUBMITTED' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  submit(
    @UntypedBody() body: Record<string, unknown>,
    @Headers('idempotency-key') key: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<SubmissionResult> {
    if (key !== undefined && !/^[A-Za-z0-9_-]{8,100}$/.test(key)) {
      throw new ValidationException([{ field: 'Idempotency-Key', messages: ['Use 8 to 100 letters, digits, "-" or "_".'] }]);
    }
    return this.applications.submit(this.applications.parse(body, request.t), { idempotencyKey: key ?? null, clientIp: request.ip });
  }
}
