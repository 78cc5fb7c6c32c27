import { Controller, Get, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiConsumes, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public, UntypedBody, ValidationException } from '@app/platform';
import { readAnswerBody } from '@app/review';
import { type PassportPost, PassportService, type PassportSubmissionResult } from '../passports.service.js';
import { preparePhoto } from '../photo.js';
import { readPassportMultipart } from '../web/multipart.js';

/**
 * Chip passports for API clients: the posts that take applications, submitting one (multipart: the
 * `application` part holds the JSON, the `photo` part the JPEG or PNG; an optional Idempotency-Key
 * returns the first result again), and answering a request for information. No personal data in any URL.
 */
@ApiTags('passports')
@Public()
@Controller('api/v1/passports')
export class PassportsApiController {
  constructor(private readonly passports: PassportService) {}

  @Get('posts')
  @ApiOperation({ summary: 'Posts that take passport applications; the applicant collects the passport there' })
  posts(): Promise<PassportPost[]> {
    return this.passports.posts();
  }

  @Post('applications')
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiOperation({
    summary:
      'Apply for a passport: multipart with "application" (JSON: kind, surname, givenNames, chineseName, sex, dateOfBirth, placeOfBirth, nationalId, email, phone, locale, postCode, previousPassportNumber, policeReportReference) and "photo" (JPEG/PNG, 35:45)',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async submit(@Headers('idempotency-key') key: string | undefined, @Req() request: FastifyRequest): Promise<PassportSubmissionResult> {
    if (key !== undefined && !/^[A-Za-z0-9_-]{8,100}$/.test(key)) {
      throw new ValidationException([{ field: 'Idempotency-Key', messages: ['Use 8 to 100 letters, digits, "-" or "_".'] }]);
    }
    const body = await readPassportMultipart(request);
    let application: unknown;
    try {
      application = JSON.parse(body.fields.application ?? '');
    } catch {
      application = null;
    }
    if (!application || typeof application !== 'object' || Array.isArray(application)) {
      throw new ValidationException([
        { field: 'application', messages: ['Send the application as a JSON object in the "application" part.'] },
      ]);
    }
    const input = this.passports.parse(application as Record<string, unknown>, request.t);
    const photo = await preparePhoto(body.files.photo, this.passports.settings.photo);
    return this.passports.submit(input, photo, { idempotencyKey: key ?? null, clientIp: request.ip });
  }

  @Post('applications/answer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Answer a request for information (reference, surname, date of birth and the answer)' })
  async answer(
    @UntypedBody() body: Record<string, unknown>,
    @Req() request: FastifyRequest,
  ): Promise<{ reference: string; status: string }> {
    const moved = await this.passports.answer(readAnswerBody(body), request.ip);
    return { reference: moved.reference, status: moved.status };
  }
}
