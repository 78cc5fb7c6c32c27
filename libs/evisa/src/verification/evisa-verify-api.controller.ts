import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '@app/platform';
import { VerifySealDto } from '@app/documents';
import { type EvisaVerificationAnswer, EvisaVerificationService } from './evisa-verification.service.js';
import { VerifyEvisaDto } from './verify-evisa.dto.js';

/**
 * The public eVisa register for machines (airlines, border systems). Every answer is 200 with
 * `result` one of valid, expired, revoked or not_found; 400 for a malformed body; 429 past the
 * per-IP limit. The offline, signature-only check stays at POST /api/v1/verify/seal.
 */
@ApiTags('verify')
@Public()
@Controller('api/v1/verify/evisa')
export class EvisaVerifyApiController {
  constructor(private readonly verification: EvisaVerificationService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Check an eVisa by visa number and passport number' })
  byVisaNumber(@Body() body: VerifyEvisaDto, @Req() request: FastifyRequest): Promise<EvisaVerificationAnswer> {
    return this.verification.byVisaNumber(body.visaNumber, body.passportNumber, request.ip);
  }

  @Post('seal')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check an eVisa from its seal (hex, base32 or QR text): the signature, then the register' })
  bySeal(@Body() body: VerifySealDto, @Req() request: FastifyRequest): Promise<EvisaVerificationAnswer> {
    return this.verification.bySeal(body.seal, request.ip);
  }
}
