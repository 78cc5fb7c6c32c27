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
import { PassportErrors } from '../errors.js';
import { type PassportPost, PassportService } from '../passports.service.js';
import { type PhotoProblem, preparePhoto } from '../photo.js';
import { PASSPORT_KINDS } from '../settings.js';
import { checkIdentity, checkKind, checkPrevious, text } from '../validation.js';
import { PASSPORT_DRAFTS, type PassportDraft, type PassportDrafts } from './draft-store.js';
import { readPassportMultipart } from './multipart.js';

type Form = Record<string, unknown>;

const DRAFT_COOKIE = 'passport_draft';
const CASE_COOKIE = 'passport_case';

const STEPS = ['kind', 'identity', 'photo', 'previous', 'post', 'check'] as const;
type Step = (typeof STEPS)[number];

/** The first step still to answer; a first passport has no previous one to tell us about. */
function firstMissing(draft: PassportDraft): Step | null {
  if (!draft.kind) return 'kind';
  if (!draft.identity) return 'identity';
  if (!draft.photo) return 'photo';
  if (!draft.previous) return 'previous';
  if (!draft.postCode) return 'post';
  return null;
}

/** Where to send a visitor who opens `step` before answering what comes before it, or null. */
function blockedAt(draft: PassportDraft, step: Step): Step | null {
  const missing = firstMissing(draft);
  return missing && STEPS.indexOf(missing) < STEPS.indexOf(step) ? missing : null;
}

const fieldErrorsOf = (errors: FieldError[]) => Object.fromEntries(errors.map((e) => [e.field, e.messages]));

/**
 * The applicant's pages: server-rendered, one topic per page, working without JavaScript. The
 * browser holds only a signed token in an HttpOnly cookie; the answers and the photo wait encrypted
 * in a draft on the server.
 */
@ApiExcludeController()
@Public()
@Controller('passport')
export class PassportsPagesController {
  constructor(
    private readonly passports: PassportService,
    @Inject(PASSPORT_DRAFTS) private readonly drafts: PassportDrafts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  start(@Res() reply: FastifyReply) {
    return reply.code(200).view('passports/start.njk', { fees: this.passports.settings.fees, settings: this.passports.settings });
  }

  @Get('kind')
  async kindPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    return this.renderKind(request, reply, 200, draft.kind ?? '', []);
  }

  @Post('kind')
  async chooseKind(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const checked = checkKind(form, request.t);
    if (!checked.value) return this.renderKind(request, reply, 400, text(form.kind), checked.errors);
    const { id, draft } = await this.draftOf(request);
    // A first passport has none before it; a different kind asks different questions about the previous one.
    const previous =
      checked.value === 'first_issue'
        ? { previousPassportNumber: '', policeReportReference: '' }
        : checked.value === draft.kind
          ? draft.previous
          : undefined;
    return this.saveAndGo(reply, id, { ...draft, kind: checked.value, previous }, 'identity');
  }

  @Get('identity')
  async identityPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const blocked = blockedAt(draft, 'identity');
    if (blocked) return reply.redirect(`/passport/${blocked}`, 303);
    const values = draft.identity ? { ...draft.identity, ...dateOfBirthParts(draft.identity.dateOfBirth) } : { locale: request.locale };
    return this.renderIdentity(request, reply, 200, values, []);
  }

  @Post('identity')
  async identity(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const blocked = blockedAt(draft, 'identity');
    if (blocked) return reply.redirect(`/passport/${blocked}`, 303);
    const checked = checkIdentity({ ...form, dateOfBirth: dateOfBirthFromParts(form) }, request.t, this.passports.today());
    if (!checked.value) return this.renderIdentity(request, reply, 400, form, checked.errors);
    return this.saveAndGo(reply, id, { ...draft, identity: checked.value }, draft.photo ? 'check' : 'photo');
  }

  @Get('photo')
  async photoPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const blocked = blockedAt(draft, 'photo');
    if (blocked) return reply.redirect(`/passport/${blocked}`, 303);
    return this.renderPhoto(reply, 200, draft, null);
  }

  @Post('photo')
  async photo(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const blocked = blockedAt(draft, 'photo');
    if (blocked) return reply.redirect(`/passport/${blocked}`, 303);
    let prepared: Awaited<ReturnType<typeof preparePhoto>>;
    try {
      const body = await readPassportMultipart(request);
      prepared = await preparePhoto(body.files.photo, this.passports.settings.photo);
    } catch (error) {
      const problem = photoProblemOf(error);
      if (!problem) throw error;
      const status = problem === 'tooLarge' ? 413 : problem === 'missing' ? 400 : 422;
      return this.renderPhoto(
        reply,
        status,
        draft,
        request.t(`passports.err.photo.${problem}`, { max: this.passports.settings.photo.maxBytes / 1_048_576 }),
      );
    }
    const photo = { base64: prepared.bytes.toString('base64'), mimeType: prepared.mimeType as 'image/jpeg' | 'image/png' };
    const next = !draft.previous ? 'previous' : draft.postCode ? 'check' : 'post';
    return this.saveAndGo(reply, id, { ...draft, photo }, next);
  }

  @Get('previous')
  async previousPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const blocked = blockedAt(draft, 'previous');
    if (blocked) return reply.redirect(`/passport/${blocked}`, 303);
    if (draft.kind === 'first_issue') return reply.redirect('/passport/post', 303);
    return this.renderPrevious(reply, 200, draft, draft.previous ?? {}, []);
  }

  @Post('previous')
  async previous(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const blocked = blockedAt(draft, 'previous');
    if (blocked) return reply.redirect(`/passport/${blocked}`, 303);
    const checked = checkPrevious(form, draft.kind!, request.t);
    if (!checked.value) return this.renderPrevious(reply, 400, draft, form, checked.errors);
    return this.saveAndGo(reply, id, { ...draft, previous: checked.value }, draft.postCode ? 'check' : 'post');
  }

  @Get('post')
  async postPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const blocked = blockedAt(draft, 'post');
    if (blocked) return reply.redirect(`/passport/${blocked}`, 303);
    return this.renderPost(request, reply, 200, draft.postCode ?? '', []);
  }

  @Post('post')
  async choosePost(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const blocked = blockedAt(draft, 'post');
    if (blocked) return reply.redirect(`/passport/${blocked}`, 303);
    const postCode = text(form.postCode);
    if (!(await this.passports.posts()).some((post) => post.code === postCode)) {
      return this.renderPost(request, reply, 400, postCode, [{ field: 'postCode', messages: [request.t('passports.err.post')] }]);
    }
    return this.saveAndGo(reply, id, { ...draft, postCode }, 'check');
  }

  @Get('check')
  async checkPage(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { draft } = await this.draftOf(request);
    const missing = firstMissing(draft);
    if (missing) return reply.redirect(`/passport/${missing}`, 303);
    return this.renderCheck(request, reply, draft);
  }

  @Post('check')
  async submit(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const { id, draft } = await this.draftOf(request);
    const missing = firstMissing(draft);
    if (missing || !id) return reply.redirect(`/passport/${missing ?? 'kind'}`, 303);
    try {
      const result = await this.passports.submit(
        { kind: draft.kind!, identity: draft.identity!, previous: draft.previous!, postCode: draft.postCode! },
        { bytes: Buffer.from(draft.photo!.base64, 'base64'), mimeType: draft.photo!.mimeType },
        { clientIp: request.ip },
      );
      await this.drafts.remove(id);
      reply.clearCookie(DRAFT_COOKIE, { path: '/passport' });
      reply.setCookie(CASE_COOKIE, this.drafts.confirmationToken(result.caseId), this.cookieOptions(3600));
      return reply.redirect('/passport/confirmation', 303);
    } catch (error) {
      if (error instanceof ValidationException) return reply.redirect('/passport/identity', 303);
      throw error;
    }
  }

  @Get('confirmation')
  async confirmation(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const caseId = this.drafts.caseIdOf(request.cookies?.[CASE_COOKIE]);
    const view = caseId ? await this.passports.view(caseId) : null;
    if (!view) return reply.redirect('/passport', 303);
    return reply.code(200).view('passports/confirmation.njk', {
      reference: view.reference,
      postName: this.postName(request, view.post),
      fee: view.fee,
    });
  }

  @Get('respond')
  respondPage(@Res() reply: FastifyReply) {
    return reply.code(200).view('passports/respond.njk', { values: {}, errors: [], fieldErrors: {} });
  }

  @Post('respond')
  async respond(@UntypedBody() form: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const outcome = await submitAnswerForm(form, request.t, {
      messagePrefix: 'passports',
      notFoundCode: PassportErrors.PASSPORT_INFORMATION_REQUEST_NOT_FOUND,
      answer: (answer) => this.passports.answer(answer, request.ip),
    });
    if (outcome.answered) return reply.code(200).view('passports/respond-done.njk', {});
    return reply
      .code(400)
      .view('passports/respond.njk', { values: outcome.values, errors: outcome.errors, fieldErrors: fieldErrorsOf(outcome.errors) });
  }

  // ── rendering ─────────────────────────────────────────────────────────────

  private renderKind(request: FastifyRequest, reply: FastifyReply, status: number, selected: string, errors: FieldError[]) {
    return reply.code(status).view('passports/kind.njk', {
      kinds: PASSPORT_KINDS.map((value) => ({ value, label: request.t(`passports.kind.${value}`) })),
      selected,
      errors,
      fieldErrors: fieldErrorsOf(errors),
    });
  }

  private renderIdentity(request: FastifyRequest, reply: FastifyReply, status: number, values: object, errors: FieldError[]) {
    const t = request.t;
    return reply.code(status).view('passports/identity.njk', {
      values,
      errors,
      fieldErrors: fieldErrorsOf(errors),
      sexes: [
        { value: 'F', label: t('passports.sex.F') },
        { value: 'M', label: t('passports.sex.M') },
      ],
      locales: [
        { value: 'en', label: t('lang.en') },
        { value: 'zh-Hant', label: t('lang.zh-Hant') },
      ],
    });
  }

  private renderPhoto(reply: FastifyReply, status: number, draft: PassportDraft, message: string | null) {
    const errors = message ? [{ field: 'photo', messages: [message] }] : [];
    return reply.code(status).view('passports/photo.njk', { hasPhoto: !!draft.photo, errors, fieldErrors: fieldErrorsOf(errors) });
  }

  private renderPrevious(reply: FastifyReply, status: number, draft: PassportDraft, values: object, errors: FieldError[]) {
    return reply.code(status).view('passports/previous.njk', { kind: draft.kind, values, errors, fieldErrors: fieldErrorsOf(errors) });
  }

  private async renderPost(request: FastifyRequest, reply: FastifyReply, status: number, selected: string, errors: FieldError[]) {
    const posts = await this.passports.posts();
    return reply.code(status).view('passports/post.njk', {
      posts: posts.map((post) => ({ value: post.code, label: this.postName(request, post) })),
      selected,
      errors,
      fieldErrors: fieldErrorsOf(errors),
    });
  }

  private async renderCheck(request: FastifyRequest, reply: FastifyReply, draft: PassportDraft) {
    const t = request.t;
    const identity = draft.identity!;
    const post = await this.passports.post(draft.postCode!);
    const fee = this.passports.fee(identity.dateOfBirth, post);
    const rows = [
      { label: t('passports.field.kind'), value: t(`passports.kind.${draft.kind}`), changeHref: '/passport/kind' },
      { label: t('passports.field.name'), value: `${identity.surname}, ${identity.givenNames}`, changeHref: '/passport/identity' },
      ...(identity.chineseName
        ? [{ label: t('passports.field.chineseName'), value: identity.chineseName, changeHref: '/passport/identity' }]
        : []),
      { label: t('passports.field.sex'), value: t(`passports.sex.${identity.sex}`), changeHref: '/passport/identity' },
      { label: t('passports.field.dateOfBirth'), value: identity.dateOfBirth, changeHref: '/passport/identity' },
      { label: t('passports.field.placeOfBirth'), value: identity.placeOfBirth, changeHref: '/passport/identity' },
      ...(identity.nationalId
        ? [{ label: t('passports.field.nationalId'), value: identity.nationalId, changeHref: '/passport/identity' }]
        : []),
      { label: t('passports.field.email'), value: identity.email, changeHref: '/passport/identity' },
      { label: t('passports.field.photo'), value: t('passports.check.photoReceived'), changeHref: '/passport/photo' },
      ...(draft.kind !== 'first_issue'
        ? [
            {
              label: t('passports.field.previousPassportNumber'),
              value: draft.previous!.previousPassportNumber,
              changeHref: '/passport/previous',
            },
          ]
        : []),
      ...(draft.previous!.policeReportReference
        ? [
            {
              label: t('passports.field.policeReportReference'),
              value: draft.previous!.policeReportReference,
              changeHref: '/passport/previous',
            },
          ]
        : []),
      { label: t('passports.field.post'), value: this.postName(request, post), changeHref: '/passport/post' },
      { label: t('passports.field.validity'), value: t('passports.validityYears', { years: fee.validityYears }) },
      { label: t('passports.field.fee'), value: t('passports.feeAmount', { amount: fee.amount, currency: fee.currency }) },
    ];
    return reply.code(200).view('passports/check.njk', { rows, fee });
  }

  private postName(request: FastifyRequest, post: PassportPost): string {
    return request.locale === 'zh-Hant' ? post.nameZh : post.nameEn;
  }

  private async draftOf(request: FastifyRequest) {
    return this.drafts.read(request.cookies?.[DRAFT_COOKIE]);
  }

  private async saveAndGo(reply: FastifyReply, id: string | null, draft: PassportDraft, next: Step) {
    const token = await this.drafts.write(id, draft);
    reply.setCookie(DRAFT_COOKIE, token, this.cookieOptions(this.drafts.lifetimeSeconds));
    return reply.redirect(`/passport/${next}`, 303);
  }

  private cookieOptions(maxAge: number) {
    return { path: '/passport', httpOnly: true, sameSite: 'lax' as const, secure: this.config.env === 'production', maxAge };
  }
}

/** The photo's problem as the page names it, or null for errors that are not about the photo. */
function photoProblemOf(error: unknown): PhotoProblem | null {
  if (error instanceof DomainException) {
    if (error.code === PassportErrors.PASSPORT_PHOTO_REFUSED) return (error.details as { reason: PhotoProblem }).reason;
    if (error.code === PassportErrors.PASSPORT_NOT_MULTIPART) return 'missing';
    return null;
  }
  return (error as { statusCode?: unknown }).statusCode === 413 ? 'tooLarge' : null;
}
