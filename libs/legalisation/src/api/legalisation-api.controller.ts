import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public, UntypedBody, ValidationException } from '@app/platform';
import { readAnswerBody } from '@app/review';
import { SubmitRequestDto } from '../dto.js';
import { LegalisationService, type SubmissionResult } from '../legalisation.service.js';
import { AppointmentSlots, type SlotDay } from '../slots.js';

/**
 * Document authentication for API clients: the free appointment slots of a post, submitting a
 * request with its booking (an optional Idempotency-Key returns the first result again), and
 * answering a request for information. No personal data in any URL.
 */
@ApiTags('legalisation')
@Public()
@Controller('api/v1/legalisation')
export class LegalisationApiController {
  constructor(
    private readonly requests: LegalisationService,
    private readonly slots: AppointmentSlots,
  ) {}

  @Get('posts')
  @ApiOperation({ summary: 'Posts that authenticate documents' })
  posts() {
    return this.requests.posts();
  }

  @Get('posts/:postCode/slots')
  @ApiOperation({ summary: 'Free appointment slots of a post, by local day (full slots are left out)' })
  async freeSlots(@Param('postCode') postCode: string): Promise<{ postCode: string; timeZone: string; days: SlotDay[] }> {
    const post = await this.requests.post(postCode);
    return { postCode: post.code, timeZone: post.timeZone, days: await this.slots.free(post) };
  }

  @Post('requests')
  @HttpCode(201)
  @ApiOperation({ summary: 'Submit a request with its appointment; the case opens SUBMITTED' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  submit(
    @Body() body: SubmitRequestDto,
    @Headers('idempotency-key') key: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<SubmissionResult> {
    if (key !== undefined && !/^[A-Za-z0-9_-]{8,100}$/.test(key)) {
      throw new ValidationException([{ field: 'Idempotency-Key', messages: ['Use 8 to 100 letters, digits, "-" or "_".'] }]);
    }
    const { applicant, items, direction, serviceLevel, delivery, mailingAddress, postCode, slotId } = body;
    return this.requests.submit(
      {
        applicant: { ...applicant },
        items: items.map((item) => ({ ...item })),
        options: { direction, serviceLevel, delivery, mailingAddress: delivery === 'mail' ? mailingAddress! : null },
        postCode,
        slotId,
      },
      { idempotencyKey: key ?? null, clientIp: request.ip },
    );
  }

  @Post('requests/answer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Answer a request for information (reference, surname, date of birth and the answer)' })
  async answer(
    @UntypedBody() body: Record<string, unknown>,
    @Req() request: FastifyRequest,
  ): Promise<{ reference: string; status: string }> {
    const moved = await this.requests.answer(readAnswerBody(body), request.ip);
    return { reference: moved.reference, status: moved.status };
  }
}
