import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, type JourneyPages, Public, UntypedBody } from '@app/platform';
import { submitAnswerForm } from '@app/review';
import { LegalisationErrors } from '../errors.js';
import { LegalisationService } from '../legalisation.service.js';
import type { LegalisationDraft } from './draft-store.js';
import { LEGALISATION_JOURNEY } from './legalisation.journey.js';

const fieldErrorsOf = (errors: FieldError[]) => Object.fromEntries(errors.map((e) => [e.field, e.messages]));

/** The applicant's pages: the journey (legalisation.journey.ts) and the answer to a request for information. */
@ApiExcludeController()
@Public()
@Controller('legalisation')
export class LegalisationPagesController {
  constructor(
    @Inject(LEGALISATION_JOURNEY) private readonly journey: JourneyPages<LegalisationDraft>,
    private readonly requests: LegalisationService,
  ) {}

  @Get()
  start(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.journey.start(request, reply);
  }

  @Get('check')
  check(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.journey.checkPage(request, reply);
  }

  @Post('check')
  submit(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.journey.submit(request, reply);
  }

  @Get('confirmation')
  confirmation(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.journey.confirmation(request, reply);
  }

  // ── answering a request for information ───────────────────────────────────

  @Get('respond')
  respondPage(@Res() reply: FastifyReply) {
    return reply.code(200).view('legalisation/respond.njk', { values: {}, errors: [], fieldErrors: {} });
  }

  @Post('respond')
  async respond(@UntypedBody() form: Record<string, unknown>, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const outcome = await submitAnswerForm(form, request.t, {
      messagePrefix: 'legalisation',
      notFoundCode: LegalisationErrors.INFORMATION_REQUEST_NOT_FOUND,
      answer: (answer) => this.requests.answer(answer, request.ip),
    });
    if (outcome.answered) return reply.code(200).view('legalisation/respond-done.njk', {});
    return reply
      .code(400)
      .view('legalisation/respond.njk', { values: outcome.values, errors: outcome.errors, fieldErrors: fieldErrorsOf(outcome.errors) });
  }

  // ── the journey's steps ───────────────────────────────────────────────────

  @Get(':step')
  step(@Param('step') step: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.journey.show(step, request, reply);
  }

  @Post(':step')
  answer(@Param('step') step: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.journey.answer(step, request, reply);
  }

  @Post(':step/:action')
  action(@Param('step') step: string, @Param('action') action: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.journey.action(step, action, request, reply);
  }
}
