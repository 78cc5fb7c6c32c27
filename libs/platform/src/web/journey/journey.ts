import type { Type } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainException, type FieldError, ValidationException } from '../../errors/domain-exception.js';
import { validateForm } from '../../validation/form-body.js';
import type { Locale, Translate } from '../i18n.js';
import { readMultipart, type MultipartBody } from '../multipart.js';

/** Where a journey keeps a visitor's answers between pages: `ApplicantDrafts` (@app/cases) is the one the services use. */
export interface JourneyDraftStore<D> {
  readonly lifetimeSeconds: number;
  read(token: string | undefined): Promise<{ id: string | null; draft: D }>;
  /** Saves the draft and answers the token for the cookie (a new draft gets a new id). */
  write(id: string | null, draft: D): Promise<string>;
  remove(id: string): Promise<void>;
  /** A short-lived token that shows the confirmation page of the case just submitted, and nothing else. */
  confirmationToken(caseId: string): string;
  caseIdOf(token: string | undefined): string | null;
}

export interface JourneyContext {
  request: FastifyRequest;
  t: Translate;
  locale: Locale;
  /** The client's address as the web layer determined it (trusted proxies only). */
  ip: string;
}

/** What a step's `save` may answer instead of the new draft: problems to show on the step's page. */
export class StepProblem {
  constructor(
    readonly errors: FieldError[],
    readonly status = 400,
  ) {}
}

/** A row of "check your answers"; `step` gives the change link. */
export interface CheckRow {
  label: string;
  value: string;
  step?: string;
}

/**
 * One page of an applicant journey, as data. A step with `form` reads its POST through that DTO
 * (class-validator, messages in the reader's language); with `upload`, as multipart, the files
 * going to `save` with the fields. `values` fills the form in from the draft; `model` adds what
 * the view needs (options, a fee); `done` says whether it has been answered; `applies` skips it.
 */
export interface JourneyStep<D, I = never> {
  id: string;
  view: string;
  form?: Type<I>;
  upload?: true;
  /**
   * Dates asked as three boxes (GOV.UK pattern): the DTO's field, and the prefix of the
   * `<prefix>Day`, `<prefix>Month` and `<prefix>Year` inputs the page posts.
   */
  dates?: Readonly<Record<string, string>>;
  applies?(draft: D): boolean;
  done(draft: D): boolean;
  values?(draft: D, context: JourneyContext): Record<string, unknown>;
  model?(draft: D, context: JourneyContext): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** Stores the answer. Answers the new draft, or a StepProblem to show the page again. */
  save(draft: D, input: I, context: JourneyContext, files: MultipartBody['files']): Promise<D | StepProblem> | D | StepProblem;
  /** Where to go after saving, when not the first unanswered step (an "add another" page comes back to itself). */
  next?(draft: D, raw: Record<string, unknown>): string | null;
  /** Extra POST actions on the step's page (`/<step>/<action>`), such as removing one of a list. */
  actions?: Readonly<Record<string, (draft: D, raw: Record<string, unknown>, context: JourneyContext) => D | Promise<D>>>;
  /** Its rows on "check your answers". */
  check?(draft: D, context: JourneyContext): CheckRow[] | Promise<CheckRow[]>;
}

/** An answer that must be given again: the step, the draft without it, and what to say. */
export interface Refusal<D> {
  step: string;
  draft: D;
  problem: StepProblem;
}

export interface JourneySpec<D> {
  /** Where the journey's pages live, e.g. '/legalisation'. */
  basePath: string;
  /** Cookie names: the draft's token, and the confirmation's. */
  cookies: { draft: string; confirmation: string };
  start: { view: string; model?(context: JourneyContext): Promise<Record<string, unknown>> | Record<string, unknown> };
  steps: readonly JourneyStep<D, never>[];
  check: {
    view: string;
    model?(draft: D, context: JourneyContext): Promise<Record<string, unknown>> | Record<string, unknown>;
    /** An answer that no longer stands when the applicant comes to check (a place taken meanwhile): the step to answer again. */
    recheck?(draft: D, context: JourneyContext): Promise<Refusal<D> | null> | Refusal<D> | null;
  };
  /** Submits the complete draft; answers the new case. */
  submit(draft: D, context: JourneyContext): Promise<{ caseId: string }>;
  /**
   * A submission the service refused for a reason the applicant can fix on one step (a place taken
   * meanwhile): the step to show again, the draft to keep, and the problems. Null: not such an error.
   */
  submitRefused?(error: unknown, draft: D, context: JourneyContext): Refusal<D> | null;
  confirmation: { view: string; model(caseId: string, context: JourneyContext): Promise<Record<string, unknown> | null> };
}

const fieldErrorsOf = (errors: readonly FieldError[]) => Object.fromEntries(errors.map((e) => [e.field, e.messages]));

function datePart(raw: Record<string, unknown>, name: string): string {
  const value = raw[name];
  return typeof value === 'string' ? value.normalize('NFKC').trim() : '';
}

/** `YYYY-MM-DD` from three boxes (an impossible date stays impossible for the DTO to refuse); '' when all are empty. */
export function dateFromParts(raw: Record<string, unknown>, prefix: string): string {
  const [day, month, year] = ['Day', 'Month', 'Year'].map((part) => datePart(raw, `${prefix}${part}`));
  if (!day && !month && !year) return '';
  return `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`;
}

/** A stored `YYYY-MM-DD` spread into its three boxes again. */
export function datePartsOf(date: unknown, prefix: string): Record<string, string> {
  const [year = '', month = '', day = ''] = typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date.split('-') : [];
  return { [`${prefix}Day`]: day.replace(/^0/, ''), [`${prefix}Month`]: month.replace(/^0/, ''), [`${prefix}Year`]: year };
}

/**
 * The one applicant journey engine: drafts behind an HttpOnly cookie, one question page per step,
 * steps in order with the unanswered ones first, "check your answers" with change links, uploads,
 * submission and its confirmation, all without JavaScript and in the reader's language. A service
 * gives its JourneySpec; its controller routes to these methods.
 */
export class JourneyPages<D> {
  private readonly steps: ReadonlyMap<string, JourneyStep<D, never>>;

  constructor(
    private readonly spec: JourneySpec<D>,
    private readonly drafts: JourneyDraftStore<D>,
    private readonly secureCookies: boolean,
  ) {
    this.steps = new Map(spec.steps.map((step) => [step.id, step]));
  }

  async start(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const context = this.context(request);
    return reply.code(200).view(this.spec.start.view, { ...(await this.spec.start.model?.(context)) });
  }

  async show(stepId: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const step = this.step(stepId);
    const { draft } = await this.read(request);
    const context = this.context(request);
    const blocked = this.blockedBefore(draft, step);
    if (blocked) return this.redirect(reply, blocked);
    if (!this.applies(step, draft)) return this.redirect(reply, this.firstMissing(draft) ?? 'check');
    const values = { ...step.values?.(draft, context) };
    for (const [field, prefix] of Object.entries(step.dates ?? {})) Object.assign(values, datePartsOf(values[field], prefix));
    return this.render(reply, step, draft, context, values, [], 200);
  }

  async answer(stepId: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const step = this.step(stepId);
    const { id, draft } = await this.read(request);
    const context = this.context(request);
    const blocked = this.blockedBefore(draft, step);
    if (blocked) return this.redirect(reply, blocked);
    let raw: Record<string, unknown>;
    let files: MultipartBody['files'] = [];
    try {
      if (step.upload) {
        const body = await readMultipart(request);
        raw = body.fields;
        files = body.files;
      } else {
        raw = (request.body as Record<string, unknown> | undefined) ?? {};
      }
    } catch (error) {
      if (!(error instanceof DomainException) && typeof (error as { statusCode?: unknown }).statusCode !== 'number') throw error;
      const status = (error as { statusCode?: number }).statusCode ?? (error as DomainException).status;
      const errors = [{ field: 'file', messages: [context.t(status === 413 ? 'journey.upload.tooLarge' : 'journey.upload.unreadable')] }];
      return this.render(reply, step, draft, context, {}, errors, status);
    }
    const input = { ...raw };
    for (const [field, prefix] of Object.entries(step.dates ?? {})) {
      input[field] = dateFromParts(raw, prefix);
      for (const part of ['Day', 'Month', 'Year']) delete input[`${prefix}${part}`];
    }
    let value: unknown = input;
    if (step.form) {
      const checked = validateForm(step.form, input, context.t);
      if (!checked.ok) return this.render(reply, step, draft, context, raw, checked.errors, 400);
      value = checked.value;
    }
    const saved = await step.save(draft, value as never, context, files);
    if (saved instanceof StepProblem) return this.render(reply, step, draft, context, raw, saved.errors, saved.status);
    await this.write(reply, id, saved);
    return this.redirect(reply, step.next?.(saved, raw) ?? this.firstMissing(saved) ?? 'check');
  }

  async action(stepId: string, actionName: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const step = this.step(stepId);
    const act = step.actions && Object.hasOwn(step.actions, actionName) ? step.actions[actionName] : undefined;
    if (!act) throw new DomainException('NOT_FOUND', 'No such page.');
    const { id, draft } = await this.read(request);
    const changed = await act(draft, (request.body as Record<string, unknown> | undefined) ?? {}, this.context(request));
    await this.write(reply, id, changed);
    return this.redirect(reply, step.id);
  }

  async checkPage(request: FastifyRequest, reply: FastifyReply, problem?: { errors: FieldError[]; status: number }): Promise<FastifyReply> {
    const { id, draft } = await this.read(request);
    const missing = this.firstMissing(draft);
    if (missing) return this.redirect(reply, missing);
    const context = this.context(request);
    const stale = await this.spec.check.recheck?.(draft, context);
    if (stale) return this.askAgain(reply, id, stale, context);
    const rows: (CheckRow & { changeHref?: string })[] = [];
    for (const step of this.spec.steps.filter((s) => this.applies(s, draft))) {
      for (const row of (await step.check?.(draft, context)) ?? []) {
        rows.push({
          ...row,
          changeHref:
            row.step === undefined ? `${this.spec.basePath}/${step.id}` : row.step ? `${this.spec.basePath}/${row.step}` : undefined,
        });
      }
    }
    const errors = problem?.errors ?? [];
    return reply.code(problem?.status ?? 200).view(this.spec.check.view, {
      rows,
      errors,
      fieldErrors: fieldErrorsOf(errors),
      backHref: this.backHref('check', draft),
      action: `${this.spec.basePath}/check`,
      ...(await this.spec.check.model?.(draft, context)),
    });
  }

  async submit(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { id, draft } = await this.read(request);
    const missing = this.firstMissing(draft);
    if (missing || !id) return this.redirect(reply, missing ?? this.spec.steps[0]!.id);
    const context = this.context(request);
    let caseId: string;
    try {
      ({ caseId } = await this.spec.submit(draft, context));
    } catch (error) {
      const refused = this.spec.submitRefused?.(error, draft, context);
      if (refused) return this.askAgain(reply, id, refused, context);
      // The draft stays as it was: a submission that failed loses nothing.
      if (error instanceof ValidationException) return this.checkPage(request, reply, { errors: error.fieldErrors, status: 400 });
      throw error;
    }
    await this.drafts.remove(id);
    reply.clearCookie(this.spec.cookies.draft, { path: this.spec.basePath });
    reply.setCookie(this.spec.cookies.confirmation, this.drafts.confirmationToken(caseId), this.cookieOptions(3600));
    return this.redirect(reply, 'confirmation');
  }

  async confirmation(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const caseId = this.drafts.caseIdOf(request.cookies?.[this.spec.cookies.confirmation]);
    const model = caseId ? await this.spec.confirmation.model(caseId, this.context(request)) : null;
    if (!model) return reply.redirect(this.spec.basePath, 303);
    return reply.code(200).view(this.spec.confirmation.view, model);
  }

  // ── the engine's own rules ────────────────────────────────────────────────

  private async askAgain(reply: FastifyReply, id: string | null, refusal: Refusal<D>, context: JourneyContext): Promise<FastifyReply> {
    await this.write(reply, id, refusal.draft);
    const step = this.step(refusal.step);
    const values = step.values?.(refusal.draft, context) ?? {};
    return this.render(reply, step, refusal.draft, context, values, refusal.problem.errors, refusal.problem.status);
  }

  private step(id: string): JourneyStep<D, never> {
    const step = this.steps.get(id);
    if (!step) throw new DomainException('NOT_FOUND', 'No such page.');
    return step;
  }

  private applies(step: JourneyStep<D, never>, draft: D): boolean {
    return step.applies?.(draft) ?? true;
  }

  /** The first step that applies and has no answer yet, or null when the draft is complete. */
  firstMissing(draft: D): string | null {
    return this.spec.steps.find((step) => this.applies(step, draft) && !step.done(draft))?.id ?? null;
  }

  /** An earlier step still unanswered, which a visitor must answer before this one (a typed URL, an old bookmark). */
  private blockedBefore(draft: D, step: JourneyStep<D, never>): string | null {
    const missing = this.firstMissing(draft);
    if (!missing) return null;
    const order = this.spec.steps.map((s) => s.id);
    return order.indexOf(missing) < order.indexOf(step.id) ? missing : null;
  }

  private backHref(stepId: string, draft: D): string {
    const order = this.spec.steps.filter((s) => this.applies(s, draft)).map((s) => s.id);
    const index = stepId === 'check' ? order.length : order.indexOf(stepId);
    return index > 0 ? `${this.spec.basePath}/${order[index - 1]}` : this.spec.basePath;
  }

  private async render(
    reply: FastifyReply,
    step: JourneyStep<D, never>,
    draft: D,
    context: JourneyContext,
    values: Record<string, unknown>,
    errors: FieldError[],
    status: number,
  ): Promise<FastifyReply> {
    return reply.code(status).view(step.view, {
      step: step.id,
      values,
      errors,
      fieldErrors: fieldErrorsOf(errors),
      backHref: this.backHref(step.id, draft),
      action: `${this.spec.basePath}/${step.id}`,
      basePath: this.spec.basePath,
      ...(await step.model?.(draft, context)),
    });
  }

  private context(request: FastifyRequest): JourneyContext {
    return { request, t: request.t, locale: request.locale, ip: request.ip };
  }

  private read(request: FastifyRequest) {
    return this.drafts.read(request.cookies?.[this.spec.cookies.draft]);
  }

  private async write(reply: FastifyReply, id: string | null, draft: D): Promise<void> {
    const token = await this.drafts.write(id, draft);
    reply.setCookie(this.spec.cookies.draft, token, this.cookieOptions(this.drafts.lifetimeSeconds));
  }

  private redirect(reply: FastifyReply, target: string): FastifyReply {
    return reply.redirect(`${this.spec.basePath}/${target}`, 303);
  }

  private cookieOptions(maxAge: number) {
    return { path: this.spec.basePath, httpOnly: true, sameSite: 'lax' as const, secure: this.secureCookies, maxAge };
  }
}
