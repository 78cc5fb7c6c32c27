import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, Public, UntypedBody } from '@app/platform';
import { MAX_SEAL_TEXT_LENGTH } from '@app/documents';
import { countryName } from '../web/form-spec.js';
import { type EvisaVerificationAnswer, EvisaVerificationService } from './evisa-verification.service.js';
import { MAX_DOCUMENT_NUMBER_LENGTH } from './verify-evisa.dto.js';

type Form = Record<string, unknown>;

/**
 * The public verification page (no JavaScript): paste what a QR reader shows, or type the visa
 * number and the passport number. It shows only what the eVisa itself shows.
 */
@ApiExcludeController()
@Public()
@Controller('verify')
export class EvisaVerifyPagesController {
  constructor(private readonly verification: EvisaVerificationService) {}

  @Get()
  page(@Res() reply: FastifyReply) {
    return reply.code(200).view('evisa/verify.njk', { values: {}, errors: [], fieldErrors: {} });
  }

  @Post('seal')
  async bySeal(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const seal = text(form.seal);
    const errors = [required('seal', seal, MAX_SEAL_TEXT_LENGTH, request)].filter((e): e is FieldError => e !== null);
    if (errors.length) return this.renderForm(reply, { seal }, errors);
    const answer = await this.verification.bySeal(seal, request.ip);
    return this.renderAnswer(request, reply, 'seal', answer);
  }

  @Post('evisa')
  async byVisaNumber(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const values = { visaNumber: text(form.visaNumber).trim(), passportNumber: text(form.passportNumber).trim() };
    const errors = [
      required('visaNumber', values.visaNumber, MAX_DOCUMENT_NUMBER_LENGTH, request),
      required('passportNumber', values.passportNumber, MAX_DOCUMENT_NUMBER_LENGTH, request),
    ].filter((e): e is FieldError => e !== null);
    if (errors.length) return this.renderForm(reply, values, errors);
    const answer = await this.verification.byVisaNumber(values.visaNumber, values.passportNumber, request.ip);
    return this.renderAnswer(request, reply, 'visa_number', answer);
  }

  private renderForm(reply: FastifyReply, values: Record<string, string>, errors: FieldError[]) {
    return reply.code(400).view('evisa/verify.njk', {
      values,
      errors,
      fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.messages])),
    });
  }

  private renderAnswer(request: FastifyRequest, reply: FastifyReply, method: string, answer: EvisaVerificationAnswer) {
    const { t, locale } = request;
    const evisa = answer.evisa;
    const rows = evisa
      ? [
          { label: t('evisa.verify.field.visaNumber'), value: evisa.visaNumber },
          { label: t('evisa.verify.field.surname'), value: evisa.surname },
          { label: t('evisa.verify.field.givenNames'), value: evisa.givenNames || '—' },
          { label: t('evisa.verify.field.nationality'), value: `${countryName(evisa.nationality, locale, t)} (${evisa.nationality})` },
          { label: t('evisa.verify.field.validFrom'), value: evisa.validFrom },
          { label: t('evisa.verify.field.validUntil'), value: evisa.validUntil },
          { label: t('evisa.verify.field.entries'), value: t(`evisa.verify.entries.${evisa.entries}`) },
          { label: t('evisa.verify.field.stay'), value: t('evisa.verify.stayDays', { days: evisa.stayDays }) },
        ]
      : [];
    return reply.code(200).view('evisa/verify-result.njk', { answer, method, rows });
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function required(field: string, value: string, max: number, request: FastifyRequest): FieldError | null {
  if (!value.trim()) return { field, messages: [request.t(`evisa.verify.err.${field}Required`)] };
  if (value.length > max) return { field, messages: [request.t('evisa.verify.err.tooLong', { max })] };
  return null;
}
