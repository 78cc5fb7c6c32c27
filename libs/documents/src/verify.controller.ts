import { Body, Controller, Get, Header, HttpCode, Injectable, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { DomainException, Metrics, Public, RateLimiter } from '@app/platform';
import type { PublishedSealKey } from './seal-keyring.js';
import { SealService } from './seal.service.js';
import { type SealVerificationResponse, verificationResponse } from './verification.js';
import { VerifySealDto } from './verify-seal.dto.js';

/** Per IP: a border post behind one address checks many travellers, a scraper checks many more. */
export const SEAL_VERIFICATIONS_PER_MINUTE = 120;

/** `seal_verifications_total{result}`: valid, MALFORMED, UNKNOWN_SIGNER, BAD_SIGNATURE or rate_limited. */
@Injectable()
export class SealVerificationMetrics {
  readonly verifications: Counter<'result'>;

  constructor(metrics: Metrics) {
    this.verifications = new Counter({
      name: 'seal_verifications_total',
      help: 'Visible Digital Seal verifications through the public API, by result',
      labelNames: ['result'],
      registers: [metrics.registry],
    });
  }
}

@ApiTags('verify')
@Public()
@Controller('api/v1/verify')
export class VerifyController {
  constructor(
    private readonly seals: SealService,
    private readonly limiter: RateLimiter,
    private readonly metrics: SealVerificationMetrics,
  ) {}

  @Get('keys')
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({ summary: 'Every public key that signs or has signed eVisa seals, as JWK and PEM, with its key id' })
  keys(): { keys: PublishedSealKey[] } {
    return { keys: this.seals.publishedKeys() };
  }

  /**
   * 200 with `valid: false` and a reason for anything that is not a valid seal (tampered, unknown
   * signer, not a seal at all); 400 only for a body that is not `{ seal: string }` of at most
   * 2048 characters; 429 past the per-IP limit.
   */
  @Post('seal')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check an eVisa seal (hex, base32 or QR text) against the published keys' })
  async verify(@Body() body: VerifySealDto, @Req() request: FastifyRequest): Promise<SealVerificationResponse> {
    try {
      await this.limiter.consume(`verify-seal:${request.ip}`, SEAL_VERIFICATIONS_PER_MINUTE, 60);
    } catch (error) {
      if (error instanceof DomainException) this.metrics.verifications.inc({ result: 'rate_limited' });
      throw error;
    }
    const result = this.seals.verify(body.seal);
    this.metrics.verifications.inc({ result: result.valid ? 'valid' : result.reason });
    return verificationResponse(result);
  }
}
