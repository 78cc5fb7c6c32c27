import { Body, Controller, Headers, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLocale, Public } from '@app/platform';
import { EmergencyService } from '../emergency.service.js';

/** The JSON API for reporting an emergency; the same rules and messages as the page. */
@ApiTags('emergency')
@Public()
@Controller('api/v1/emergency')
export class EmergencyApiController {
  constructor(private readonly emergencies: EmergencyService) {}

  @Post('reports')
  @ApiOperation({
    summary: 'Report an emergency abroad',
    description:
      'Fields: category, country, city, description, personName, relationship (self | family | friend | other), ' +
      'familyUpdatesConsent (boolean; needed unless relationship is self), reporterName, email and/or phone, surname and ' +
      'dateOfBirth (YYYY-MM-DD, for status look-ups), postCode, and optionally locale (en | zh-Hant) for messages. 201 with the reference; 400 with field errors; 429 past the per-IP limit. ' +
      'A repeated Idempotency-Key returns the first report (200).',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async report(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ reference: string; status: string }> {
    const input = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const receipt = await this.emergencies.report(input, {
      ip: request.ip,
      locale: isLocale(input.locale) ? input.locale : request.locale,
      idempotencyKey,
    });
    void reply.code(receipt.replayed ? 200 : 201);
    return { reference: receipt.reference, status: receipt.status };
  }
}
