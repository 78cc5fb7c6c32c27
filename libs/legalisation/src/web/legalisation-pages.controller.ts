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
  UntypedBody,
  ValidationException,
} from '@app/platform';
import { submitAnswerForm } from '@app/review';
import { LegalisationErrors } from '../errors.js';
import { LegalisationService, type PostSummary } from '../legalisation.service.js';
import { feeFor, SERVICE_LEVELS } from '../settings.js';
import { AppointmentSlots } from '../slots.js';
import { checkApplicant, checkItem, checkOptions, text } from '../validation.js';
import { LEGALISATION_DRAFTS, type LegalisationDraft, type LegalisationDrafts } from './draft-store.js';

type Form = Record<string, unknown>;

const DRAFT_COOKIE = 'legalisation_draft';
const CASE_COOKIE = 'legalisation_case';

/** The steps in order, each with what it needs answered before it. */
const STEPS = ['applicant', 'documents', 'options', 'post', 'appointment', 'check'] as const;
type Step = (typeof STEPS)[number];

function firstMissing(draft: LegalisationDraft): Step | null {
  if (!draft.applicant) return 'applicant';
  if (!draft.items.length) return 'documents';
  if (!draft.options) return 'options';
  if (!draft.postCode) return 'post';
  if (!draft.slotId) return 'appointment';
  return null;
}

const fieldErrorsOf = (errors: FieldError[]) => Object.fromEntries(errors.map((e) => [e.field, e.messages]));

/**
 * The applicant's pages: server-rendered, one topic per page, working without JavaScript. The
 * browser holds only a signed token in an HttpOnly cookie; the answers live in a draft on the server.
 */
@ApiExcludeController()
@Public()
@Controller('legalisation')
export class LegalisationPagesController {
  constructor(
    private readonly requests: LegalisationService,
    private readonly slots: AppointmentSlots,
    @Inject(LEGALISATION_DRAFTS) private readonly drafts: LegalisationDrafts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  start(@Res() reply: FastifyReply) {
    const fees = this.requests.settings.feesTwd;
    return reply.code(200).view('legalisation/start.njk', { fees, levels: SERVICE_LEVELS });
  }

  // ── the applicant ─────────────────────────────────────────────────────────

  @Get('applicant')
  async applicantPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const values = draft.applicant ? { ...draft.applicant, ...dateOfBirthParts(draft.applicant.dateOfBirth) } : { locale: request.locale };
    return this.renderApplicant(request, reply, 200, values, []);
  }

  @Post('applicant')
  async applicant(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const checked = checkApplicant({ ...form, dateOfBirth: dateOfBirthFromParts(form) }, request.t, this.requests.today());
    if (!checked.value) return this.renderApplicant(request, reply, 400, form, checked.errors);
    const { id, draft } = await this.draftOf(request);
    return this.saveAndGo(reply, id, { ...draft, applicant: checked.value }, 'documents');
  }

  // ── the documents ─────────────────────────────────────────────────────────

  @Get('documents')
  async documentsPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    if (!draft.applicant) return reply.redirect('/legalisation/applicant', 303);
    return this.renderDocuments(request, reply, 200, draft, {}, []);
  }

  /** "Add this document" adds the item and shows the page again; "Continue" adds what is filled in, then moves on. */
  @Post('documents')
  async documents(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    if (!draft.applicant) return reply.redirect('/legalisation/applicant', 303);
    const adding = text(form.action) !== 'continue';
    // Extra copies starts at 0, so it alone does not make a new document.
    const filledIn = ['documentType', 'issuingCountry', 'originals', 'description'].some((name) => text(form[name]) !== '');
    if (adding || filledIn || !draft.items.length) {
      if (!adding && !filledIn) {
        const errors = [{ field: 'documentType', messages: [request.t('legalisation.err.atLeastOneItem')] }];
        return this.renderDocuments(request, reply, 400, draft, form, errors);
      }
      if (draft.items.length >= this.requests.settings.maxItems) {
        const errors = [
          { field: 'documentType', messages: [request.t('legalisation.err.itemsCount', { max: this.requests.settings.maxItems })] },
        ];
        return this.renderDocuments(request, reply, 400, draft, form, errors);
      }
      const checked = checkItem(form, request.t, this.requests.settings);
      if (!checked.value) return this.renderDocuments(request, reply, 400, draft, form, checked.errors);
      draft.items.push(checked.value);
    }
    return this.saveAndGo(reply, id, draft, adding ? 'documents' : 'options');
  }

  @Post('documents/remove')
  async removeDocument(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const position = Number(text(form.position));
    if (Number.isInteger(position) && position >= 1 && position <= draft.items.length) draft.items.splice(position - 1, 1);
    return this.saveAndGo(reply, id, draft, 'documents');
  }

  // ── direction, service level and delivery ─────────────────────────────────

  @Get('options')
  async optionsPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const missing = firstMissing(draft);
    if (missing === 'applicant' || missing === 'documents') return reply.redirect(`/legalisation/${missing}`, 303);
    return this.renderOptions(request, reply, 200, draft.options ?? {}, []);
  }

  @Post('options')
  async options(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const missing = firstMissing(draft);
    if (missing === 'applicant' || missing === 'documents') return reply.redirect(`/legalisation/${missing}`, 303);
    const checked = checkOptions(form, request.t, this.requests.settings);
    if (!checked.value) return this.renderOptions(request, reply, 400, form, checked.errors);
    return this.saveAndGo(reply, id, { ...draft, options: checked.value }, 'post');
  }

  // ── the post and the appointment ──────────────────────────────────────────

  @Get('post')
  async postPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const missing = firstMissing(draft);
    if (missing && STEPS.indexOf(missing) < STEPS.indexOf('post')) return reply.redirect(`/legalisation/${missing}`, 303);
    return this.renderPost(request, reply, 200, draft.postCode ?? '', []);
  }

  @Post('post')
  async choosePost(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const missing = firstMissing(draft);
    if (missing && STEPS.indexOf(missing) < STEPS.indexOf('post')) return reply.redirect(`/legalisation/${missing}`, 303);
    const postCode = text(form.postCode);
    if (!(await this.requests.posts()).some((post) => post.code === postCode)) {
      return this.renderPost(request, reply, 400, postCode, [{ field: 'postCode', messages: [request.t('legalisation.err.post')] }]);
    }
    const changed = postCode !== draft.postCode;
    return this.saveAndGo(reply, id, { ...draft, postCode, slotId: changed ? undefined : draft.slotId }, 'appointment');
  }

  @Get('appointment')
  async appointmentPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const missing = firstMissing(draft);
    if (missing && STEPS.indexOf(missing) < STEPS.indexOf('appointment')) return reply.redirect(`/legalisation/${missing}`, 303);
    return this.renderAppointment(request, reply, 200, draft, []);
  }

  @Post('appointment')
  async chooseAppointment(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const missing = firstMissing(draft);
    if (missing && STEPS.indexOf(missing) < STEPS.indexOf('appointment')) return reply.redirect(`/legalisation/${missing}`, 303);
    const slotId = text(form.slotId);
    const post = await this.requests.post(draft.postCode!);
    const free = (await this.slots.free(post)).flatMap((day) => day.slots);
    if (!free.some((slot) => slot.id === slotId)) {
      const key = slotId ? 'legalisation.err.slotTaken' : 'legalisation.err.slot';
      return this.renderAppointment(request, reply, slotId ? 409 : 400, draft, [{ field: 'slotId', messages: [request.t(key)] }]);
    }
    return this.saveAndGo(reply, id, { ...draft, slotId }, 'check');
  }

  // ── check and submit ──────────────────────────────────────────────────────

  @Get('check')
  async checkPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const missing = firstMissing(draft);
    if (missing) return reply.redirect(`/legalisation/${missing}`, 303);
    return this.renderCheck(request, reply, draft);
  }

  @Post('check')
  async submit(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const missing = firstMissing(draft);
    if (missing || !id) return reply.redirect(`/legalisation/${missing ?? 'applicant'}`, 303);
    try {
      const result = await this.requests.submit(
        {
          applicant: draft.applicant!,
          items: draft.items,
          options: draft.options!,
          postCode: draft.postCode!,
          slotId: draft.slotId!,
        },
        { clientIp: request.ip },
      );
      await this.drafts.remove(id);
      reply.clearCookie(DRAFT_COOKIE, { path: '/legalisation' });
      reply.setCookie(CASE_COOKIE, this.drafts.confirmationToken(result.caseId), this.cookieOptions(3600));
      return reply.redirect('/legalisation/confirmation', 303);
    } catch (error) {
      if (error instanceof DomainException && error.code === LegalisationErrors.SLOT_UNAVAILABLE) {
        // Taken meanwhile: say so and offer the choice again.
        const token = await this.drafts.write(id, { ...draft, slotId: undefined });
        reply.setCookie(DRAFT_COOKIE, token, this.cookieOptions(this.drafts.lifetimeSeconds));
        return this.renderAppointment(request, reply, 409, { ...draft, slotId: undefined }, [
          { field: 'slotId', messages: [request.t('legalisation.err.slotTaken')] },
        ]);
      }
      if (error instanceof ValidationException) return reply.redirect('/legalisation/applicant', 303);
      throw error;
    }
  }

  @Get('confirmation')
  async confirmation(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const caseId = this.drafts.caseIdOf(request.cookies?.[CASE_COOKIE]);
    const view = caseId ? await this.requests.view(caseId) : null;
    if (!caseId || !view) return reply.redirect('/legalisation', 303);
    return reply.code(200).view('legalisation/confirmation.njk', {
      reference: view.reference,
      view,
      postName: this.postName(request, view.post),
    });
  }

  // ── answering a request for information ───────────────────────────────────

  @Get('respond')
  respondPage(@Res() reply: FastifyReply) {
    return reply.code(200).view('legalisation/respond.njk', { values: {}, errors: [], fieldErrors: {} });
  }

  @Post('respond')
  async respond(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
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

  // ── rendering ─────────────────────────────────────────────────────────────

  private renderApplicant(request: FastifyRequest, reply: FastifyReply, status: number, values: object, errors: FieldError[]) {
    const t = request.t;
    return reply.code(status).view('legalisation/applicant.njk', {
      values,
      errors,
      fieldErrors: fieldErrorsOf(errors),
      locales: [
        { value: 'en', label: t('lang.en') },
        { value: 'zh-Hant', label: t('lang.zh-Hant') },
      ],
    });
  }

  private renderDocuments(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    draft: LegalisationDraft,
    values: Form,
    errors: FieldError[],
  ) {
    const t = request.t;
    return reply.code(status).view('legalisation/documents.njk', {
      items: draft.items.map((item, index) => ({
        ...item,
        position: index + 1,
        typeLabel: t(`legalisation.documentType.${item.documentType}`),
      })),
      documentTypes: [
        { value: '', label: t('legalisation.chooseDocumentType') },
        ...this.requests.settings.documentTypes.map((value) => ({ value, label: t(`legalisation.documentType.${value}`) })),
      ],
      values: { extraCopies: '0', ...values },
      errors,
      fieldErrors: fieldErrorsOf(errors),
    });
  }

  private renderOptions(request: FastifyRequest, reply: FastifyReply, status: number, values: object, errors: FieldError[]) {
    const t = request.t;
    const fees = this.requests.settings.feesTwd;
    return reply.code(status).view('legalisation/options.njk', {
      values,
      errors,
      fieldErrors: fieldErrorsOf(errors),
      directions: this.requests.settings.directions.map((value) => ({ value, label: t(`legalisation.direction.${value}`) })),
      levels: SERVICE_LEVELS.map((value) => ({
        value,
        label: t(`legalisation.serviceLevelWithFee.${value}`, {
          original: fees[value].perOriginal,
          copy: fees[value].perExtraCopy,
          days: fees[value].workingDays,
        }),
      })),
      deliveries: this.requests.settings.delivery.map((value) => ({ value, label: t(`legalisation.delivery.${value}`) })),
    });
  }

  private async renderPost(request: FastifyRequest, reply: FastifyReply, status: number, selected: string, errors: FieldError[]) {
    const posts = await this.requests.posts();
    return reply.code(status).view('legalisation/post.njk', {
      posts: posts.map((post) => ({ value: post.code, label: this.postName(request, post) })),
      selected,
      errors,
      fieldErrors: fieldErrorsOf(errors),
    });
  }

  private async renderAppointment(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    draft: LegalisationDraft,
    errors: FieldError[],
  ) {
    const post = await this.requests.post(draft.postCode!);
    const days = await this.slots.free(post);
    const dateFormat = new Intl.DateTimeFormat(request.locale === 'zh-Hant' ? 'zh-TW' : 'en-GB', { dateStyle: 'full', timeZone: 'UTC' });
    return reply.code(status).view('legalisation/appointment.njk', {
      postName: this.postName(request, post),
      timeZone: post.timeZone,
      days: days.map((day) => ({
        label: dateFormat.format(new Date(`${day.localDate}T12:00:00Z`)),
        slots: day.slots.map((slot) => ({ value: slot.id, label: slot.localTime })),
      })),
      selected: draft.slotId ?? '',
      errors,
      fieldErrors: fieldErrorsOf(errors),
    });
  }

  private async renderCheck(request: FastifyRequest, reply: FastifyReply, draft: LegalisationDraft) {
    const t = request.t;
    const post = await this.requests.post(draft.postCode!);
    const slot = (await this.slots.free(post)).flatMap((day) => day.slots).find((s) => s.id === draft.slotId);
    if (!slot) {
      return this.renderAppointment(request, reply, 409, { ...draft, slotId: undefined }, [
        { field: 'slotId', messages: [t('legalisation.err.slotTaken')] },
      ]);
    }
    const applicant = draft.applicant!;
    const options = draft.options!;
    const fee = feeFor(this.requests.settings, options.serviceLevel, draft.items);
    const rows = [
      { label: t('legalisation.field.name'), value: `${applicant.givenNames} ${applicant.surname}`, changeHref: '/legalisation/applicant' },
      { label: t('legalisation.field.dateOfBirth'), value: applicant.dateOfBirth, changeHref: '/legalisation/applicant' },
      { label: t('legalisation.field.email'), value: applicant.email, changeHref: '/legalisation/applicant' },
      ...draft.items.map((item, index) => ({
        label: t('legalisation.check.item', { n: index + 1 }),
        value: `${t(`legalisation.documentType.${item.documentType}`)} (${item.issuingCountry}): ${t('legalisation.check.counts', { originals: item.originals, copies: item.extraCopies })}`,
        changeHref: '/legalisation/documents',
      })),
      {
        label: t('legalisation.field.direction'),
        value: t(`legalisation.direction.${options.direction}`),
        changeHref: '/legalisation/options',
      },
      {
        label: t('legalisation.field.serviceLevel'),
        value: t(`legalisation.serviceLevel.${options.serviceLevel}`),
        changeHref: '/legalisation/options',
      },
      {
        label: t('legalisation.field.delivery'),
        value: t(`legalisation.delivery.${options.delivery}`),
        changeHref: '/legalisation/options',
      },
      ...(options.mailingAddress
        ? [{ label: t('legalisation.field.mailingAddress'), value: options.mailingAddress, changeHref: '/legalisation/options' }]
        : []),
      { label: t('legalisation.field.post'), value: this.postName(request, post), changeHref: '/legalisation/post' },
      { label: t('legalisation.field.appointment'), value: `${slot.localDate} ${slot.localTime}`, changeHref: '/legalisation/appointment' },
      { label: t('legalisation.field.fee'), value: t('legalisation.feeAmount', { amount: fee }) },
    ];
    return reply.code(200).view('legalisation/check.njk', { rows, fee });
  }

  private postName(request: FastifyRequest, post: PostSummary): string {
    return request.locale === 'zh-Hant' ? post.nameZh : post.nameEn;
  }

  private async draftOf(request: FastifyRequest) {
    return this.drafts.read(request.cookies?.[DRAFT_COOKIE]);
  }

  private async saveAndGo(reply: FastifyReply, id: string | null, draft: LegalisationDraft, next: Step) {
    const token = await this.drafts.write(id, draft);
    reply.setCookie(DRAFT_COOKIE, token, this.cookieOptions(this.drafts.lifetimeSeconds));
    return reply.redirect(`/legalisation/${next}`, 303);
  }

  private cookieOptions(maxAge: number) {
    return { path: '/legalisation', httpOnly: true, sameSite: 'lax' as const, secure: this.config.env === 'production', maxAge };
  }
}
