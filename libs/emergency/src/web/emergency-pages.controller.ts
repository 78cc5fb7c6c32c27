import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainException, type FieldError, Public, RateLimitErrors, ValidationException } from '@app/platform';
import { EmergencyService } from '../emergency.service.js';
import { RELATIONSHIPS } from '../settings.js';
import { byField, type Form, textFields } from './form-fields.js';

/** The public emergency pages: the start page with the hotline, the one-page report and its confirmation. */
@ApiExcludeController()
@Public()
@Controller('emergency')
export class EmergencyPagesController {
  constructor(private readonly emergencies: EmergencyService) {}

  @Get()
  start(@Res() reply: FastifyReply) {
    return reply.view('emergency/start.njk', {
      hotline: this.emergencies.settings.hotline,
    });
  }

  @Get('report')
  async form(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.render(request, reply, 200, {}, []);
  }

  @Post('report')
  @HttpCode(200)
  async submit(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const form = textFields(body);
    try {
      const receipt = await this.emergencies.report(form, { ip: request.ip, locale: request.locale });
      return reply
        .code(200)
        .view('emergency/confirmation.njk', { reference: receipt.reference, hotline: this.emergencies.settings.hotline });
    } catch (error) {
      if (error instanceof ValidationException) return this.render(request, reply, 400, form, error.fieldErrors);
      if (error instanceof DomainException && error.code === RateLimitErrors.TOO_MANY_REQUESTS) {
        return this.render(
          request,
          reply,
          429,
          form,
          [],
          request.t('emergency.report.tooMany', { hotline: this.emergencies.settings.hotline }),
        );
      }
      throw error;
    }
  }

  private async render(request: FastifyRequest, reply: FastifyReply, status: number, form: Form, errors: FieldError[], refusal?: string) {
    const t = request.t;
    const posts = await this.emergencies.posts();
    await reply.code(status).view('emergency/report.njk', {
      form,
      errors,
      fieldErrors: byField(errors),
      refusal: refusal ?? null,
      hotline: this.emergencies.settings.hotline,
      categoryOptions: this.emergencies.settings.categories.map((value) => ({ value, label: t(`emergency.category.${value}`) })),
      relationshipOptions: RELATIONSHIPS.map((value) => ({ value, label: t(`emergency.relationship.${value}`) })),
      consentOptions: ['yes', 'no'].map((value) => ({ value, label: t(`emergency.report.consent.${value}`) })),
      postOptions: [
        { value: '', label: t('emergency.report.choosePost') },
        ...posts.map((p) => ({ value: p.code, label: request.locale === 'zh-Hant' ? p.nameZh : p.nameEn })),
      ],
    });
  }
}
