import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  APP_CONFIG,
  type AppConfig,
  ApplicantRoute,
  DomainException,
  type FieldError,
  Public,
  UntypedBody,
  ValidationException,
} from '@app/platform';
import { type Answers, isStepName, STEP_NAMES, STEPS, type StepName } from '../answers.js';
import { type DraftView, EvisaApplicationService, type FileSlot } from '../application.service.js';
import { EvisaErrors } from '../errors.js';
import { EvisaDownloadService, sendEvisaPdf } from '../issuance/evisa-download.service.js';
import { translateIssues } from '../issues.js';
import type { MrzMismatch } from '../mrz.js';
import { EvisaPaymentService } from '../payments/payment.service.js';
import { SandboxPaymentProvider } from '../payments/sandbox-payment.provider.js';
import { EVISA_SETTINGS, type EvisaSettings, portName } from '../settings.js';
import { APPLICANT_COOKIE, clearTokenCookie, DRAFT_COOKIE, readCookie, setTokenCookie } from './cookies.js';
import { countryName, fieldsFor } from './form-spec.js';
import { readMultipart } from './multipart.js';

type Form = Record<string, unknown>;
const UPLOAD_SLOTS: Record<string, FileSlot> = { photo: 'photo', 'passport-page': 'passportPage' };
const SLOT_PATH: Record<FileSlot, string> = { photo: 'photo', passportPage: 'passport-page' };
const DAY_SECONDS = 24 * 3600;

/** Maps what went wrong with an upload to the message shown next to the file input. */
const UPLOAD_ERROR_KEYS: Record<string, string> = {
  FILE_TOO_LARGE: 'evisa.upload.err.tooLarge',
  PAYLOAD_TOO_LARGE: 'evisa.upload.err.tooLarge',
  FILE_TYPE_NOT_ALLOWED: 'evisa.upload.err.type',
  FILE_TYPE_MISMATCH: 'evisa.upload.err.mismatch',
  FILE_UNREADABLE: 'evisa.upload.err.unreadable',
  PHOTO_DIMENSIONS: 'evisa.upload.err.dimensions',
  FILE_REQUIRED: 'evisa.upload.err.required',
  NOT_MULTIPART: 'evisa.upload.err.required',
};

function errorCodeOf(error: unknown): string | null {
  if (error instanceof DomainException) return error.code;
  const status = (error as { statusCode?: number })?.statusCode;
  return status === 413 ? 'PAYLOAD_TOO_LARGE' : null;
}

/**
 * The eVisa pages: server-rendered, one topic per page, working without JavaScript. The browser
 * holds only a signed token in an HttpOnly cookie; answers live in the draft on the server.
 */
@ApiExcludeController()
@Controller('evisa')
export class EvisaPagesController {
  constructor(
    private readonly applications: EvisaApplicationService,
    private readonly payments: EvisaPaymentService,
    private readonly sandbox: SandboxPaymentProvider,
    private readonly downloads: EvisaDownloadService,
    @Inject(EVISA_SETTINGS) private readonly settings: EvisaSettings,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // ── start and eligibility ─────────────────────────────────────────────────

  @Get()
  @Public()
  start(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return reply.code(200).view('evisa/start.njk', {
      fee: this.settings.feeAmount,
      currency: this.settings.currency,
      stayDays: this.settings.stayDays,
      validityMonths: this.settings.validityMonths,
      hasDraft: !!readCookie(request, DRAFT_COOKIE),
    });
  }

  @Get('eligibility')
  @Public()
  eligibilityPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.renderQuestion(request, reply, 'eligibility', {}, []);
  }

  @Post('eligibility')
  @Public()
  async eligibility(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const existing = this.draftIdOrNull(request);
    try {
      if (existing && (await this.isOpenDraft(existing))) {
        await this.applications.saveStep(existing, 'eligibility', form ?? {}, request.locale);
        return this.redirectToNext(reply, existing);
      }
      const draft = await this.applications.startDraft(form ?? {}, request.locale);
      setTokenCookie(reply, DRAFT_COOKIE, draft.draftToken, this.settings.draftLifetimeDays * DAY_SECONDS, this.secure);
      return reply.code(200).view('evisa/draft-created.njk', {
        reference: draft.reference,
        resumeUrl: `${this.config.publicBaseUrl}/evisa/resume?t=${draft.draftToken}`,
        expiresAt: draft.expiresAt,
      });
    } catch (error) {
      if (error instanceof DomainException && error.code === EvisaErrors.NOT_ELIGIBLE) {
        return reply.code(200).view('evisa/not-eligible.njk', { reasons: (error.details as FieldError[]).flatMap((d) => d.messages) });
      }
      if (error instanceof ValidationException) return this.renderQuestion(request, reply, 'eligibility', form, error.fieldErrors, 400);
      throw error;
    }
  }

  // ── the questions ─────────────────────────────────────────────────────────

  @Get('questions/:step')
  @ApplicantRoute()
  async questionPage(@Param('step') step: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const draft = await this.draftOrRedirect(request, reply);
    if (!draft) return reply;
    if (!isStepName(step)) throw new DomainException('NOT_FOUND', 'No such page.');
    return this.renderQuestion(request, reply, step, draft.answers, []);
  }

  @Post('questions/:step')
  @ApplicantRoute()
  async answer(@Param('step') step: string, @UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const draft = await this.draftOrRedirect(request, reply);
    if (!draft) return reply;
    if (!isStepName(step)) throw new DomainException('NOT_FOUND', 'No such page.');
    try {
      await this.applications.saveStep(draft.caseId, step, form ?? {}, request.locale);
    } catch (error) {
      if (error instanceof DomainException && error.code === EvisaErrors.NOT_ELIGIBLE) {
        return reply.code(200).view('evisa/not-eligible.njk', { reasons: (error.details as FieldError[]).flatMap((d) => d.messages) });
      }
      if (error instanceof ValidationException) return this.renderQuestion(request, reply, step, form, error.fieldErrors, 400);
      throw error;
    }
    return this.redirectToNext(reply, draft.caseId);
  }

  // ── uploads ───────────────────────────────────────────────────────────────

  @Get('upload/:slot')
  @ApplicantRoute()
  async uploadPage(@Param('slot') slotPath: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const draft = await this.draftOrRedirect(request, reply);
    if (!draft) return reply;
    const slot = Object.hasOwn(UPLOAD_SLOTS, slotPath) ? UPLOAD_SLOTS[slotPath] : undefined;
    if (!slot) throw new DomainException('NOT_FOUND', 'No such page.');
    return this.renderUpload(reply, slot, draft, null);
  }

  @Post('upload/:slot')
  @ApplicantRoute()
  async upload(@Param('slot') slotPath: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const slot = Object.hasOwn(UPLOAD_SLOTS, slotPath) ? UPLOAD_SLOTS[slotPath] : undefined;
    if (!slot) throw new DomainException('NOT_FOUND', 'No such page.');
    const draft = await this.draftOrRedirect(request, reply);
    if (!draft) return reply;
    try {
      const { files } = await readMultipart(request);
      const file = files.find((f) => f.field === 'file');
      if (!file) throw new DomainException(EvisaErrors.FILE_REQUIRED, 'Choose a file.');
      await this.applications.attachFile(draft.caseId, slot, file);
    } catch (error) {
      const code = errorCodeOf(error);
      const key = code ? UPLOAD_ERROR_KEYS[code] : undefined;
      if (!key) throw error;
      const status = code === 'FILE_TOO_LARGE' || code === 'PAYLOAD_TOO_LARGE' ? 413 : code === 'FILE_REQUIRED' ? 400 : 422;
      return this.renderUpload(reply, slot, draft, request.t(key, { max: slot === 'photo' ? 5 : 10 }), status);
    }
    return this.redirectToNext(reply, draft.caseId);
  }

  // ── check answers, payment, submission ────────────────────────────────────

  @Get('check-answers')
  @ApplicantRoute()
  async checkAnswers(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const draft = await this.draftOrRedirect(request, reply);
    if (!draft) return reply;
    return reply.code(200).view('evisa/check-answers.njk', this.checkAnswersModel(request, draft));
  }

  @Post('pay')
  @ApplicantRoute()
  async pay(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const draft = await this.draftOrRedirect(request, reply);
    if (!draft) return reply;
    if (draft.missing.length) return reply.code(400).view('evisa/check-answers.njk', this.checkAnswersModel(request, draft, true));
    if (draft.payment?.status === 'succeeded') return this.submitAndConfirm(request, reply, draft.caseId);
    const { redirectUrl } = await this.applications.startPagePayment(draft.caseId);
    return reply.redirect(redirectUrl ?? '/evisa/check-answers', 303);
  }

  @Get('sandbox-pay/:reference')
  @Public()
  async sandboxPage(@Param('reference') reference: string, @Res() reply: FastifyReply) {
    const charge = await this.sandboxCharge(reference);
    return reply.code(200).view('evisa/sandbox-pay.njk', { reference, charge, fieldErrors: {}, errors: [] });
  }

  @Post('sandbox-pay/:reference')
  @Public()
  async sandboxPay(
    @Param('reference') reference: string,
    @UntypedBody() form: Form,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const charge = await this.sandboxCharge(reference);
    const outcome = typeof form?.cardNumber === 'string' ? await this.sandbox.charge(reference, form.cardNumber) : null;
    if (!outcome) {
      const errors = [{ field: 'cardNumber', messages: [request.t('evisa.pay.cardInvalid')] }];
      return reply.code(400).view('evisa/sandbox-pay.njk', { reference, charge, errors, fieldErrors: { cardNumber: errors[0]!.messages } });
    }
    return reply.redirect(`/evisa/payment/return?ref=${encodeURIComponent(reference)}`, 303);
  }

  @Get('payment/return')
  @ApplicantRoute()
  async paymentReturn(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const reference = this.payments.callbackReference((request.query ?? {}) as Form);
    if (!reference) throw new DomainException(EvisaErrors.PAYMENT_NOT_FOUND, 'No such payment.');
    const payment = await this.payments.confirm(reference);
    const draftId = this.draftIdOrNull(request);
    if (!draftId || draftId !== payment.caseId) throw new DomainException(EvisaErrors.PAYMENT_NOT_FOUND, 'No such payment.');
    if (payment.status === 'succeeded') return this.submitAndConfirm(request, reply, payment.caseId);
    return reply.code(200).view('evisa/payment-failed.njk', { pending: payment.status === 'pending' });
  }

  @Get('confirmation')
  @ApplicantRoute()
  async confirmation(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const caseId = this.draftIdOrNull(request);
    if (!caseId) return reply.redirect('/evisa', 303);
    const view = await this.applications.applicantView(caseId);
    if (view.status === 'DRAFT') return reply.redirect('/evisa/check-answers', 303);
    clearTokenCookie(reply, DRAFT_COOKIE);
    return reply.code(200).view('evisa/confirmation.njk', { reference: view.reference, slaDays: this.settings.reviewSlaWorkingDays });
  }

  // ── resuming and deleting a draft ─────────────────────────────────────────

  /** With `?t=<token>` (the emailed link), opens that draft on this device; without, says what there is to resume. */
  @Get('resume')
  @ApplicantRoute()
  async resume(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const token = (request.query as Form | undefined)?.t;
    if (token === undefined) {
      const caseId = this.draftIdOrNull(request);
      const draft = caseId && (await this.isOpenDraft(caseId)) ? await this.applications.view(caseId) : null;
      return reply.code(200).view('evisa/resume.njk', { draft });
    }
    let caseId: string;
    try {
      caseId = this.applications.caseIdFromDraftToken(token);
    } catch {
      return reply.code(404).view('evisa/resume.njk', { draft: null, invalidLink: true });
    }
    if (!(await this.isOpenDraft(caseId))) return reply.code(404).view('evisa/resume.njk', { draft: null, invalidLink: true });
    const draft = await this.applications.view(caseId);
    setTokenCookie(reply, DRAFT_COOKIE, String(token), Math.floor((draft.expiresAt.getTime() - Date.now()) / 1000), this.secure);
    return this.redirectToNext(reply, caseId);
  }

  @Get('delete-draft')
  @ApplicantRoute()
  async deleteDraftPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const draft = await this.draftOrRedirect(request, reply);
    if (!draft) return reply;
    return reply.code(200).view('evisa/delete-draft.njk', { version: draft.version });
  }

  @Post('delete-draft')
  @ApplicantRoute()
  async deleteDraft(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const draft = await this.draftOrRedirect(request, reply);
    if (!draft) return reply;
    await this.applications.withdraw(draft.caseId, Number(form?.version), request.locale);
    clearTokenCookie(reply, DRAFT_COOKIE);
    return reply.code(200).view('evisa/withdrawn.njk', { reference: draft.reference, wasDraft: true });
  }

  // ── after submission: access, answering a request, withdrawing ────────────

  /** With `?t=<token>` (a link from an email), opens the application on this device; without, asks for the details. */
  @Get('access')
  @ApplicantRoute()
  accessPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const token = (request.query as Form | undefined)?.t;
    if (token === undefined) return reply.code(200).view('evisa/access.njk', { values: {}, fieldErrors: {}, errors: [] });
    this.applications.caseIdFromApplicantToken(token, request.locale);
    setTokenCookie(reply, APPLICANT_COOKIE, String(token), 3600, this.secure);
    return reply.redirect('/evisa/application', 303);
  }

  @Post('access')
  @ApplicantRoute()
  async access(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    try {
      const { accessToken } = await this.applications.verifyApplicant(form ?? {}, request.ip, request.locale);
      setTokenCookie(reply, APPLICANT_COOKIE, accessToken, 3600, this.secure);
      return reply.redirect('/evisa/application', 303);
    } catch (error) {
      let errors: FieldError[];
      if (error instanceof ValidationException) errors = error.fieldErrors;
      else if (error instanceof DomainException && error.code === EvisaErrors.APPLICATION_NOT_FOUND)
        errors = [{ field: 'reference', messages: [error.message] }];
      else throw error;
      return reply.code(400).view('evisa/access.njk', {
        values: form ?? {},
        errors,
        fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.messages])),
      });
    }
  }

  @Get('application')
  @ApplicantRoute()
  async application(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const caseId = this.applicantIdOrNull(request);
    if (!caseId) return reply.redirect('/evisa/access', 303);
    const [application, document] = await Promise.all([this.applications.applicantView(caseId), this.downloads.stateFor(caseId)]);
    return reply.code(200).view('evisa/application.njk', { application, document });
  }

  /** The eVisa PDF, through the 15-minute link on the application page. */
  @Get('document')
  @ApplicantRoute()
  async document(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    try {
      return sendEvisaPdf(reply, await this.downloads.open((request.query as Form | undefined)?.t, request.locale));
    } catch (error) {
      if (!(error instanceof DomainException)) throw error;
      const revoked = error.code === EvisaErrors.EVISA_REVOKED;
      if (!revoked && error.code !== EvisaErrors.EVISA_DOCUMENT_NOT_FOUND) throw error;
      return reply.code(error.status).view('evisa/download-unavailable.njk', { message: error.message, revoked });
    }
  }

  @Get('application/respond')
  @ApplicantRoute()
  async respondPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const caseId = this.applicantIdOrNull(request);
    if (!caseId) return reply.redirect('/evisa/access', 303);
    return reply
      .code(200)
      .view('evisa/respond.njk', { application: await this.applications.applicantView(caseId), values: {}, fieldErrors: {}, errors: [] });
  }

  @Post('application/respond')
  @ApplicantRoute()
  async respond(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const caseId = this.applicantIdOrNull(request);
    if (!caseId) return reply.redirect('/evisa/access', 303);
    let fields: Record<string, string> = {};
    try {
      const body = await readMultipart(request);
      fields = body.fields;
      await this.applications.answerInformationRequest(
        caseId,
        Number(fields.version),
        { text: fields.text, files: body.files },
        request.locale,
      );
    } catch (error) {
      const code = errorCodeOf(error);
      let errors: FieldError[];
      if (error instanceof ValidationException) errors = error.fieldErrors;
      else if (code && UPLOAD_ERROR_KEYS[code]) errors = [{ field: 'files', messages: [request.t(UPLOAD_ERROR_KEYS[code]!, { max: 10 })] }];
      else throw error;
      const application = await this.applications.applicantView(caseId);
      return reply.code(code === 'PAYLOAD_TOO_LARGE' || code === 'FILE_TOO_LARGE' ? 413 : 400).view('evisa/respond.njk', {
        application,
        values: fields,
        errors,
        fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.messages])),
      });
    }
    return reply.redirect('/evisa/application', 303);
  }

  @Get('application/withdraw')
  @ApplicantRoute()
  async withdrawPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const caseId = this.applicantIdOrNull(request);
    if (!caseId) return reply.redirect('/evisa/access', 303);
    return reply.code(200).view('evisa/withdraw.njk', { application: await this.applications.applicantView(caseId) });
  }

  @Post('application/withdraw')
  @ApplicantRoute()
  async withdraw(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const caseId = this.applicantIdOrNull(request);
    if (!caseId) return reply.redirect('/evisa/access', 303);
    const view = await this.applications.withdraw(caseId, Number(form?.version), request.locale);
    return reply.code(200).view('evisa/withdrawn.njk', { reference: view.reference, wasDraft: false });
  }

  // ── helpers ───────────────────────────────────────────────────────────────

  private get secure(): boolean {
    return this.config.env === 'production';
  }

  private draftIdOrNull(request: FastifyRequest): string | null {
    const token = readCookie(request, DRAFT_COOKIE);
    if (!token) return null;
    try {
      return this.applications.caseIdFromDraftToken(token);
    } catch {
      return null;
    }
  }

  private applicantIdOrNull(request: FastifyRequest): string | null {
    const token = readCookie(request, APPLICANT_COOKIE);
    if (!token) return null;
    try {
      return this.applications.caseIdFromApplicantToken(token, request.locale);
    } catch {
      return null;
    }
  }

  private async isOpenDraft(caseId: string): Promise<boolean> {
    try {
      return (await this.applications.applicantView(caseId)).status === 'DRAFT';
    } catch {
      return false;
    }
  }

  /** The open draft behind the cookie, or null after redirecting to where the applicant can go on. */
  private async draftOrRedirect(request: FastifyRequest, reply: FastifyReply): Promise<DraftView | null> {
    const caseId = this.draftIdOrNull(request);
    if (!caseId || !(await this.isOpenDraft(caseId))) {
      await reply.redirect(caseId ? '/evisa/confirmation' : '/evisa/resume', 303);
      return null;
    }
    return this.applications.view(caseId);
  }

  private async redirectToNext(reply: FastifyReply, caseId: string) {
    const { nextStep } = await this.applications.view(caseId);
    const target =
      nextStep === 'checkAnswers'
        ? '/evisa/check-answers'
        : nextStep === 'photo' || nextStep === 'passportPage'
          ? `/evisa/upload/${SLOT_PATH[nextStep]}`
          : `/evisa/questions/${nextStep}`;
    return reply.redirect(target, 303);
  }

  private async submitAndConfirm(request: FastifyRequest, reply: FastifyReply, caseId: string) {
    const draft = await this.applications.view(caseId);
    await this.applications.submit(caseId, `page-submit-${draft.payment!.paymentId}`, request.locale);
    return reply.redirect('/evisa/confirmation', 303);
  }

  private renderQuestion(request: FastifyRequest, reply: FastifyReply, step: StepName, values: Form, errors: FieldError[], status = 200) {
    const index = STEP_NAMES.indexOf(step);
    return reply.code(status).view('evisa/question.njk', {
      step,
      fields: fieldsFor(step, this.settings, request.locale, request.t),
      values: Object.fromEntries(STEPS[step].map((f) => [f, typeof values?.[f] === 'string' ? values[f] : ''])),
      errors,
      fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.messages])),
      stepNumber: index + 1,
      stepCount: STEP_NAMES.length + 2,
      backHref: index > 0 ? `/evisa/questions/${STEP_NAMES[index - 1]}` : '/evisa',
      action: step === 'eligibility' ? '/evisa/eligibility' : `/evisa/questions/${step}`,
    });
  }

  private renderUpload(reply: FastifyReply, slot: FileSlot, draft: DraftView, error: string | null, status = 200) {
    const errors = error ? [{ field: 'file', messages: [error] }] : [];
    return reply.code(status).view('evisa/upload.njk', {
      slot,
      slotPath: SLOT_PATH[slot],
      current: draft.files[slot],
      errors,
      fieldErrors: error ? { file: [error] } : {},
      accept: slot === 'photo' ? '.jpg,.jpeg,.png,image/jpeg,image/png' : '.jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf',
    });
  }

  private checkAnswersModel(request: FastifyRequest, draft: DraftView, showMissing = false) {
    const t = request.t;
    const a: Answers = draft.answers;
    const display = (field: keyof Answers): string => {
      const value = a[field];
      if (value === null) return '';
      if (field === 'nationality') return countryName(value, request.locale, t);
      if (field === 'purpose') return t(`evisa.purpose.${value}`);
      if (field === 'passportType') return t(`evisa.passportType.${value}`);
      if (field === 'sex') return t(`evisa.sex.${value}`);
      if (field === 'portOfEntry') return portName(this.settings, value, request.locale);
      return value;
    };
    const sections = STEP_NAMES.map((step) => ({
      title: t(`evisa.step.${step}.title`),
      rows: STEPS[step].map((field) => ({
        label: t(`evisa.field.${field}`),
        value: display(field) || t('evisa.check.notGiven'),
        changeHref: step === 'eligibility' ? '/evisa/eligibility' : `/evisa/questions/${step}`,
      })),
    }));
    const files = (['photo', 'passportPage'] as const).map((slot) => ({
      label: t(`evisa.upload.${slot}.title`),
      value: draft.files[slot]
        ? t('evisa.check.fileUploaded', { kb: Math.ceil(draft.files[slot].sizeBytes / 1024) })
        : t('evisa.check.notGiven'),
      changeHref: `/evisa/upload/${SLOT_PATH[slot]}`,
    }));
    const mismatches = draft.mrz.mismatches.map((m: MrzMismatch) => ({
      field: t(`evisa.mrz.field.${m.field}`),
      typed: m.typed,
      inPassport: m.inPassport,
    }));
    const missingErrors = showMissing
      ? translateIssues(
          draft.missing.map((field) => ({ field, key: 'evisa.err.required' })),
          t,
        )
      : [];
    return { draft, sections, files, mismatches, errors: missingErrors, fee: draft.fee };
  }

  private async sandboxCharge(reference: string) {
    const charge = this.sandbox.enabled && this.sandbox.callbackReference({ ref: reference }) ? await this.sandbox.find(reference) : null;
    if (!charge) throw new DomainException(EvisaErrors.PAYMENT_NOT_FOUND, 'No such payment.');
    return charge;
  }
}
