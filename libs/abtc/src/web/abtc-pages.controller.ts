import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  APP_CONFIG,
  type AppConfig,
  dateOfBirthFromParts,
  dateOfBirthParts,
  DomainException,
  type FieldError,
  Public,
  RateLimitErrors,
  UntypedBody,
} from '@app/platform';
import { AbtcService } from '../abtc.service.js';
import { checkApplicant, checkBusiness, checkPassport, SEXES } from '../validation.js';
import { ABTC_DRAFTS, type AbtcDraft, type AbtcDrafts } from './draft-store.js';

type Form = Record<string, unknown>;

const DRAFT_COOKIE = 'abtc_draft';
const CASE_COOKIE = 'abtc_case';

const STEPS = ['details', 'passport', 'business', 'check'] as const;
type Step = (typeof STEPS)[number];

function firstMissing(draft: AbtcDraft): Step | null {
  if (!draft.applicant) return 'details';
  if (!draft.passport) return 'passport';
  if (!draft.business) return 'business';
  return null;
}

/** Where to send a visitor who skipped ahead to `step`, or null when every earlier step is answered. */
function skippedTo(draft: AbtcDraft, step: Step): Step | null {
  const missing = firstMissing(draft);
  return missing && STEPS.indexOf(missing) < STEPS.indexOf(step) ? missing : null;
}

const fieldErrorsOf = (errors: FieldError[]) => Object.fromEntries(errors.map((e) => [e.field, e.messages]));

/**
 * The applicant's pages: server-rendered, one topic per page, working without JavaScript. The
 * browser holds only a signed token in an HttpOnly cookie; the answers live in a draft on the server.
 */
@ApiExcludeController()
@Public()
@Controller('abtc')
export class AbtcPagesController {
  constructor(
    private readonly applications: AbtcService,
    @Inject(ABTC_DRAFTS) private readonly drafts: AbtcDrafts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  start(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const settings = this.applications.settings;
    return reply.code(200).view('abtc/start.njk', {
      fee: settings.feeTwd,
      validityYears: settings.cardValidityYears,
      minMonths: Math.round(settings.typicalPreClearanceDays[0] / 30),
      maxMonths: Math.round(settings.typicalPreClearanceDays[1] / 30),
      documents: settings.requiredDocuments.map((code) => request.t(`abtc.document.${code}`)),
    });
  }

  @Get('details')
  async detailsPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const values = draft.applicant ? { ...draft.applicant, ...dateOfBirthParts(draft.applicant.dateOfBirth) } : { locale: request.locale };
    return this.renderDetails(request, reply, 200, values, []);
  }

  @Post('details')
  async details(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const checked = checkApplicant({ ...form, dateOfBirth: dateOfBirthFromParts(form) }, request.t, this.applications.today());
    if (!checked.value) return this.renderDetails(request, reply, 400, form, checked.errors);
    const { id, draft } = await this.draftOf(request);
    return this.saveAndGo(reply, id, { ...draft, applicant: checked.value }, 'passport');
  }

  @Get('passport')
  async passportPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const back = skippedTo(draft, 'passport');
    if (back) return reply.redirect(`/abtc/${back}`, 303);
    return this.renderStep(reply, 'passport', 200, draft.passport ?? { nationality: this.applications.settings.homeEconomy }, []);
  }

  @Post('passport')
  async passport(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const back = skippedTo(draft, 'passport');
    if (back) return reply.redirect(`/abtc/${back}`, 303);
    const checked = checkPassport(form, request.t, this.applications.today());
    if (!checked.value) return this.renderStep(reply, 'passport', 400, form, checked.errors);
    return this.saveAndGo(reply, id, { ...draft, passport: checked.value }, 'business');
  }

  @Get('business')
  async businessPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const back = skippedTo(draft, 'business');
    if (back) return reply.redirect(`/abtc/${back}`, 303);
    return this.renderStep(reply, 'business', 200, draft.business ?? {}, []);
  }

  @Post('business')
  async business(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const back = skippedTo(draft, 'business');
    if (back) return reply.redirect(`/abtc/${back}`, 303);
    const checked = checkBusiness(form, request.t);
    if (!checked.value) return this.renderStep(reply, 'business', 400, form, checked.errors);
    return this.saveAndGo(reply, id, { ...draft, business: checked.value }, 'check');
  }

  @Get('check')
  async checkPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const missing = firstMissing(draft);
    if (missing) return reply.redirect(`/abtc/${missing}`, 303);
    return this.renderCheck(request, reply, 200, draft, null);
  }

  @Post('check')
  async submit(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const missing = firstMissing(draft);
    if (missing || !id) return reply.redirect(`/abtc/${missing ?? 'details'}`, 303);
    try {
      const result = await this.applications.submit(
        { applicant: draft.applicant!, passport: draft.passport!, business: draft.business! },
        { clientIp: request.ip },
      );
      await this.drafts.remove(id);
      reply.clearCookie(DRAFT_COOKIE, { path: '/abtc' });
      reply.setCookie(CASE_COOKIE, this.drafts.confirmationToken(result.caseId), this.cookieOptions(3600));
      return reply.redirect('/abtc/confirmation', 303);
    } catch (error) {
      if (error instanceof DomainException && error.code === RateLimitErrors.TOO_MANY_REQUESTS) {
        return this.renderCheck(request, reply, 429, draft, request.t('abtc.check.tooMany'));
      }
      throw error;
    }
  }

  @Get('confirmation')
  async confirmation(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const caseId = this.drafts.caseIdOf(request.cookies?.[CASE_COOKIE]);
    const view = caseId ? await this.applications.view(caseId) : null;
    if (!view) return reply.redirect('/abtc', 303);
    return reply.code(200).view('abtc/confirmation.njk', { reference: view.reference, fee: this.applications.settings.feeTwd });
  }

  private renderDetails(request: FastifyRequest, reply: FastifyReply, status: number, values: object, errors: FieldError[]) {
    const t = request.t;
    return reply.code(status).view('abtc/details.njk', {
      values,
      errors,
      fieldErrors: fieldErrorsOf(errors),
      sexes: SEXES.map((value) => ({ value, label: t(`abtc.sex.${value}`) })),
      locales: [
        { value: 'en', label: t('lang.en') },
        { value: 'zh-Hant', label: t('lang.zh-Hant') },
      ],
    });
  }

  private renderStep(reply: FastifyReply, step: 'passport' | 'business', status: number, values: object, errors: FieldError[]) {
    return reply.code(status).view(`abtc/${step}.njk`, { values, errors, fieldErrors: fieldErrorsOf(errors) });
  }

  private renderCheck(request: FastifyRequest, reply: FastifyReply, status: number, draft: AbtcDraft, refusal: string | null) {
    const t = request.t;
    const { applicant, passport, business } = draft as Required<AbtcDraft>;
    const rows = [
      { label: t('abtc.field.name'), value: `${applicant.givenNames} ${applicant.surname}`, changeHref: '/abtc/details' },
      { label: t('abtc.field.dateOfBirth'), value: applicant.dateOfBirth, changeHref: '/abtc/details' },
      { label: t('abtc.field.sex'), value: t(`abtc.sex.${applicant.sex}`), changeHref: '/abtc/details' },
      { label: t('abtc.field.email'), value: applicant.email, changeHref: '/abtc/details' },
      { label: t('abtc.field.nationality'), value: passport.nationality, changeHref: '/abtc/passport' },
      { label: t('abtc.field.passportNumber'), value: passport.passportNumber, changeHref: '/abtc/passport' },
      { label: t('abtc.field.passportExpiry'), value: passport.passportExpiry, changeHref: '/abtc/passport' },
      { label: t('abtc.field.companyName'), value: business.companyName, changeHref: '/abtc/business' },
      { label: t('abtc.field.jobTitle'), value: business.jobTitle, changeHref: '/abtc/business' },
      { label: t('abtc.field.businessReason'), value: business.businessReason, changeHref: '/abtc/business' },
      { label: t('abtc.field.fee'), value: t('abtc.feeAmount', { amount: this.applications.settings.feeTwd }) },
    ];
    return reply.code(status).view('abtc/check.njk', { rows, refusal });
  }

  private async draftOf(request: FastifyRequest) {
    return this.drafts.read(request.cookies?.[DRAFT_COOKIE]);
  }

  private async saveAndGo(reply: FastifyReply, id: string | null, draft: AbtcDraft, next: Step) {
    const token = await this.drafts.write(id, draft);
    reply.setCookie(DRAFT_COOKIE, token, this.cookieOptions(this.drafts.lifetimeSeconds));
    return reply.redirect(`/abtc/${next}`, 303);
  }

  private cookieOptions(maxAge: number) {
    return { path: '/abtc', httpOnly: true, sameSite: 'lax' as const, secure: this.config.env === 'production', maxAge };
  }
}
