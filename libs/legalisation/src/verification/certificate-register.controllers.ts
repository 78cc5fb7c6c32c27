import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags, ApiExcludeController } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, Public, UntypedBody } from '@app/platform';
import { text } from '../validation.js';
import { type CertificateAnswer, CertificateRegister } from './certificate-register.service.js';

export class VerifyCertificateDto {
  @ApiProperty({ example: 'TWA-2026-000123', maxLength: 40 })
  @IsString()
  @MaxLength(40)
  certificateNumber!: string;

  @ApiProperty({ example: '2026-11-25', description: 'The issue date printed on the certificate (YYYY-MM-DD)' })
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  issuedOn!: string;
}

/** The register for machines: 200 with `result` valid or not_found; 400 for a malformed body; 429 past the per-IP limit. */
@ApiTags('verify')
@Public()
@Controller('api/v1/verify/authentication')
export class CertificateRegisterApiController {
  constructor(private readonly register: CertificateRegister) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Check an authentication certificate by its number and issue date' })
  check(@Body() body: VerifyCertificateDto, @Req() request: FastifyRequest): Promise<CertificateAnswer> {
    return this.register.lookUp(body.certificateNumber, body.issuedOn, request.ip);
  }
}

/** The register's page (no JavaScript): the certificate number and its issue date. */
@ApiExcludeController()
@Public()
@Controller('verify/authentication')
export class CertificateRegisterPagesController {
  constructor(private readonly register: CertificateRegister) {}

  /** The certificate's QR code leads here with its number and issue date filled in; the look-up waits for the button. */
  @Get()
  page(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const certificateNumber = text(query.certificate);
    const issuedOn = text(query.issued);
    const values = {
      certificateNumber: certificateNumber.length <= 40 ? certificateNumber : '',
      issuedOn: /^\d{4}-\d{2}-\d{2}$/.test(issuedOn) ? issuedOn : '',
    };
    return reply.code(200).view('legalisation/verify.njk', { values, errors: [], fieldErrors: {} });
  }

  @Post()
  async check(@UntypedBody() form: Record<string, unknown>, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const values = { certificateNumber: text(form.certificateNumber), issuedOn: text(form.issuedOn) };
    const errors: FieldError[] = [];
    if (!values.certificateNumber || values.certificateNumber.length > 40) {
      errors.push({ field: 'certificateNumber', messages: [request.t('legalisation.verify.err.number')] });
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.issuedOn))
      errors.push({ field: 'issuedOn', messages: [request.t('legalisation.verify.err.date')] });
    if (errors.length) {
      return reply
        .code(400)
        .view('legalisation/verify.njk', { values, errors, fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.messages])) });
    }
    const answer = await this.register.lookUp(values.certificateNumber, values.issuedOn, request.ip);
    const certificate = answer.certificate;
    const rows = certificate
      ? [
          { label: request.t('legalisation.field.certificateNumber'), value: certificate.certificateNumber },
          { label: request.t('legalisation.verify.issuedOn'), value: certificate.issuedOn },
          {
            label: request.t('legalisation.verify.issuedBy'),
            value: request.locale === 'zh-Hant' ? certificate.postNameZh : certificate.postNameEn,
          },
          { label: request.t('legalisation.verify.documents'), value: String(certificate.documents) },
          {
            label: request.t('legalisation.verify.documentTypes'),
            value: certificate.documentTypes.map((type) => request.t(`legalisation.documentType.${type}`)).join(', '),
          },
        ]
      : [];
    return reply.code(200).view('legalisation/verify-result.njk', { answer, rows });
  }
}
