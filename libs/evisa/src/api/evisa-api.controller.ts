import { Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApplicantRoute, DomainException, Public, UntypedBody } from '@app/platform';
import { isStepName } from '../answers.js';
import {
  type ApplicantCaseView,
  type DraftView,
  EvisaApplicationService,
  type FileSlot,
  type StoredFileView,
  type SubmissionResult,
} from '../application.service.js';
import { EvisaErrors } from '../errors.js';
import { EvisaDownloadService, sendEvisaPdf } from '../issuance/evisa-download.service.js';
import { translateIssues } from '../issues.js';
import { assertIdempotencyKey, EvisaPaymentService, type PaymentView } from '../payments/payment.service.js';
import { SandboxPaymentProvider } from '../payments/sandbox-payment.provider.js';
import { readMultipart } from '../web/multipart.js';

const SLOTS: Record<string, FileSlot> = { photo: 'photo', 'passport-page': 'passportPage' };
type Body = Record<string, unknown>;

/**
 * The eVisa JSON API for applicants. A draft is addressed by the token returned when it was
 * opened, sent in the `X-Draft-Token` header; a submitted case by the token from `applications/access`
 * (or an emailed link) in `X-Applicant-Token`. Neither carries personal data, and neither goes in a URL.
 */
@ApiTags('evisa')
@Controller('api/v1/evisa')
export class EvisaApiController {
  constructor(
    private readonly applications: EvisaApplicationService,
    private readonly payments: EvisaPaymentService,
    private readonly sandbox: SandboxPaymentProvider,
    private readonly downloads: EvisaDownloadService,
  ) {}

  @Post('eligibility')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Check nationality, purpose and passport type; stores nothing' })
  eligibility(
    @UntypedBody() body: Body,
    @Req() request: FastifyRequest,
  ): { eligible: boolean; problems: ReturnType<typeof translateIssues> } {
    const { eligible, issues } = this.applications.checkEligibility(body ?? {});
    return { eligible, problems: translateIssues(issues, request.t) };
  }

  @Post('drafts')
  @Public()
  @ApiOperation({ summary: 'Open a draft from eligible answers; returns the draft token (valid 30 days)' })
  async startDraft(@UntypedBody() body: Body, @Req() request: FastifyRequest) {
    const draft = await this.applications.startDraft(body ?? {}, request.locale);
    return { ...draft, resumeUrl: `/evisa/resume?t=${draft.draftToken}` };
  }

  @Get('draft')
  @ApplicantRoute()
  @ApiHeader({ name: 'X-Draft-Token', required: true })
  draft(@Headers('x-draft-token') token: string): Promise<DraftView> {
    return this.applications.view(this.applications.caseIdFromDraftToken(token));
  }

  @Put('draft/answers/:step')
  @ApplicantRoute()
  @ApiOperation({ summary: 'Save the answers of one step: eligibility, name, personal, passport, contact, travel, stay or mrz' })
  @ApiHeader({ name: 'X-Draft-Token', required: true })
  async saveStep(
    @Param('step') step: string,
    @UntypedBody() body: Body,
    @Headers('x-draft-token') token: string,
    @Req() request: FastifyRequest,
  ) {
    const caseId = this.applications.caseIdFromDraftToken(token);
    if (!isStepName(step)) throw new DomainException('NOT_FOUND', 'No such step.');
    return this.applications.saveStep(caseId, step, body ?? {}, request.locale);
  }

  @Post('draft/files/:slot')
  @ApplicantRoute()
  @ApiOperation({
    summary: 'Upload the photo (JPEG/PNG ≤ 5 MB, 35:45, ≥ 600×800) or the passport page (JPEG/PNG/PDF ≤ 10 MB) as multipart field "file"',
  })
  @ApiHeader({ name: 'X-Draft-Token', required: true })
  async upload(
    @Param('slot') slotName: string,
    @Headers('x-draft-token') token: string,
    @Req() request: FastifyRequest,
  ): Promise<StoredFileView> {
    const caseId = this.applications.caseIdFromDraftToken(token);
    const slot = Object.hasOwn(SLOTS, slotName) ? SLOTS[slotName] : undefined;
    if (!slot) throw new DomainException('NOT_FOUND', 'No such upload.');
    const { files } = await readMultipart(request);
    const file = files.find((f) => f.field === 'file');
    if (!file) throw new DomainException(EvisaErrors.FILE_REQUIRED, 'Send the file in the multipart field "file".');
    return this.applications.attachFile(caseId, slot, file);
  }

  @Post('draft/payments')
  @ApplicantRoute()
  @ApiOperation({ summary: 'Start paying the fee; the same Idempotency-Key returns the same payment' })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiHeader({ name: 'X-Draft-Token', required: true })
  async pay(@Headers('x-draft-token') token: string, @Headers('idempotency-key') key: string): Promise<PaymentView> {
    const caseId = this.applications.caseIdFromDraftToken(token);
    const draft = await this.applications.view(caseId);
    if (draft.status !== 'DRAFT') throw new DomainException(EvisaErrors.DRAFT_CLOSED, 'This application has already been submitted.');
    return (await this.payments.start(caseId, assertIdempotencyKey(key))).payment;
  }

  @Post('draft/submit')
  @ApplicantRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit a complete, paid draft; the same Idempotency-Key returns the same result' })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiHeader({ name: 'X-Draft-Token', required: true })
  submit(
    @Headers('x-draft-token') token: string,
    @Headers('idempotency-key') key: string,
    @Req() request: FastifyRequest,
  ): Promise<SubmissionResult> {
    const caseId = this.applications.caseIdFromDraftToken(token);
    return this.applications.submit(caseId, assertIdempotencyKey(key), request.locale);
  }

  @Post('draft/withdraw')
  @ApplicantRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a draft and everything in it' })
  @ApiHeader({ name: 'X-Draft-Token', required: true })
  async withdrawDraft(@Headers('x-draft-token') token: string, @Req() request: FastifyRequest): Promise<ApplicantCaseView> {
    const caseId = this.applications.caseIdFromDraftToken(token);
    const draft = await this.applications.view(caseId);
    return this.applications.withdraw(caseId, draft.version, request.locale);
  }

  @Post('sandbox/payments/:providerReference/card')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sandbox acquirer only (not in production): pay with test card 4242 4242 4242 4242 or be declined with 4000 0000 0000 0002',
  })
  async sandboxCard(@Param('providerReference') reference: string, @UntypedBody() body: Body, @Req() request: FastifyRequest) {
    if (!this.sandbox.enabled || !this.sandbox.callbackReference({ ref: reference }) || !(await this.sandbox.find(reference))) {
      throw new DomainException(EvisaErrors.PAYMENT_NOT_FOUND, 'No such payment.');
    }
    const outcome = typeof body?.cardNumber === 'string' ? await this.sandbox.charge(reference, body.cardNumber) : null;
    if (!outcome)
      throw new DomainException('VALIDATION_FAILED', 'Check the card number.', [
        { field: 'cardNumber', messages: [request.t('evisa.pay.cardInvalid')] },
      ]);
    const payment = await this.payments.confirm(reference);
    return { status: payment.status };
  }

  @Post('applications/access')
  @ApplicantRoute()
  @HttpCode(200)
  @ApiOperation({ summary: 'Prove you are the applicant with reference, surname and date of birth; returns a one-hour token' })
  async access(@UntypedBody() body: Body, @Req() request: FastifyRequest) {
    const { caseId, accessToken } = await this.applications.verifyApplicant(body ?? {}, request.ip, request.locale);
    return { accessToken, application: await this.applications.applicantView(caseId) };
  }

  @Get('applications/current')
  @ApplicantRoute()
  @ApiHeader({ name: 'X-Applicant-Token', required: true })
  current(@Headers('x-applicant-token') token: string, @Req() request: FastifyRequest): Promise<ApplicantCaseView> {
    return this.applications.applicantView(this.applications.caseIdFromApplicantToken(token, request.locale));
  }

  @Get('applications/current/document')
  @ApplicantRoute()
  @ApiOperation({
    summary: 'A 15-minute download link for the issued eVisa PDF; 409 EVISA_NOT_ISSUED before issue, 410 EVISA_REVOKED once revoked',
  })
  @ApiHeader({ name: 'X-Applicant-Token', required: true })
  async documentLink(
    @Headers('x-applicant-token') token: string,
    @Req() request: FastifyRequest,
  ): Promise<{ url: string; expiresAt: Date; filename: string }> {
    const caseId = this.applications.caseIdFromApplicantToken(token, request.locale);
    const document = await this.downloads.stateFor(caseId);
    if (document.state === 'revoked') throw new DomainException(EvisaErrors.EVISA_REVOKED, request.t('evisa.download.revoked'));
    if (document.state !== 'available') throw new DomainException(EvisaErrors.EVISA_NOT_ISSUED, request.t('evisa.download.notIssued'));
    return { url: `/api/v1/evisa/document?t=${document.token}`, expiresAt: document.expiresAt, filename: document.filename };
  }

  @Get('document')
  @ApplicantRoute()
  @ApiOperation({ summary: 'The eVisa PDF (application/pdf, as an attachment), with the token from applications/current/document' })
  async document(@Query('t') token: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return sendEvisaPdf(reply, await this.downloads.open(token, request.locale));
  }

  @Post('applications/current/information-response')
  @ApplicantRoute()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Answer a request for information: JSON {text, expectedVersion}, or multipart with fields text, expectedVersion and up to two files',
  })
  @ApiHeader({ name: 'X-Applicant-Token', required: true })
  async respond(@Headers('x-applicant-token') token: string, @Req() request: FastifyRequest): Promise<ApplicantCaseView> {
    const caseId = this.applications.caseIdFromApplicantToken(token, request.locale);
    if (request.isMultipart()) {
      const { fields, files } = await readMultipart(request);
      return this.applications.answerInformationRequest(
        caseId,
        Number(fields.expectedVersion),
        { text: fields.text, files },
        request.locale,
      );
    }
    const body = (request.body ?? {}) as Body;
    return this.applications.answerInformationRequest(caseId, Number(body.expectedVersion), { text: body.text, files: [] }, request.locale);
  }

  @Post('applications/current/withdraw')
  @ApplicantRoute()
  @HttpCode(200)
  @ApiHeader({ name: 'X-Applicant-Token', required: true })
  withdraw(
    @Headers('x-applicant-token') token: string,
    @UntypedBody() body: Body,
    @Req() request: FastifyRequest,
  ): Promise<ApplicantCaseView> {
    const caseId = this.applications.caseIdFromApplicantToken(token, request.locale);
    return this.applications.withdraw(caseId, Number(body?.expectedVersion), request.locale);
  }
}
