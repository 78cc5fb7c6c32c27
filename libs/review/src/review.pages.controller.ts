import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceCatalogue } from '@app/cases';
import {
  type AuthenticatedOfficer,
  DomainException,
  type FieldError,
  OfficerRoute,
  type Translate,
  ValidationException,
} from '@app/platform';
import { AlertsService } from './alerts.service.js';
import { DashboardService } from './dashboard.service.js';
import { DecisionService } from './decision.service.js';
import { QueueQueryDto } from './dto.js';
import { REFUSAL_REASONS } from './refusal-reasons.js';
import { sendInline } from './review.api.controller.js';
import { ReviewQueueService } from './review-queue.service.js';
import { statusLabeller } from './status-labels.js';
import { WorkspaceService } from './workspace.service.js';

type Form = Record<string, string | undefined>;

const officerOf = (request: FastifyRequest): AuthenticatedOfficer => request.officer!;

/** The officer's pages: the queue, the case workspace and the supervisor dashboard. Forms work without JavaScript. */
@ApiExcludeController()
@OfficerRoute()
@Controller('officer')
export class ReviewPagesController {
  constructor(
    private readonly queue: ReviewQueueService,
    private readonly decisions: DecisionService,
    private readonly workspace: WorkspaceService,
    private readonly dashboard: DashboardService,
    private readonly alerts: AlertsService,
    private readonly catalogue: ServiceCatalogue,
  ) {}

  private statusLabels(t: Translate) {
    return statusLabeller(
      t,
      this.catalogue.all().map((service) => service.machine),
    );
  }

  @Get('queue')
  async queuePage(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query() query: QueueQueryDto): Promise<void> {
    const officer = officerOf(request);
    const page = await this.queue.list(officer, { ...query, postCode: query.post });
    const notice = (request.query as Form).notice;
    await reply.view('review/queue.njk', {
      officer,
      page,
      statusLabel: this.statusLabels(request.t),
      serviceOptions: [
        { value: '', label: request.t('review.filter.any') },
        ...this.catalogue.ids().map((id) => ({ value: id, label: request.t(`service.${id}.name`) })),
      ],
      filter: query,
      notice: notice === 'empty' ? 'review.queue.nothingToClaim' : notice === 'released' ? 'review.queue.released' : null,
      alerts: await this.alerts.unread(officer),
      nextHref: page.nextCursor ? `/officer/queue?${new URLSearchParams({ ...stringify(query), after: page.nextCursor })}` : null,
    });
  }

  @Post('queue/claim-next')
  async claimNext(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const claimed = await this.queue.claimNext(officerOf(request));
    await reply.redirect(claimed ? `/officer/cases/${claimed.id}` : '/officer/queue?notice=empty', 303);
  }

  @Get('cases/:id')
  async casePage(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.renderCase(request, reply, id, 200, {});
  }

  @Post('cases/:id/decide')
  async decide(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const form = textFields(body);
    const action = form.action;
    if (action !== 'approve' && action !== 'refuse' && action !== 'requestInfo') {
      return this.renderCase(request, reply, id, 400, {
        errors: [{ field: 'action', messages: [request.t('review.errors.chooseAction')] }],
      });
    }
    try {
      await this.decisions.decide(officerOf(request), id, {
        action,
        expectedVersion: Number(form.expectedVersion),
        reasonCode: form.reasonCode || undefined,
        text: form.text || undefined,
        deadline: form.deadline || undefined,
      });
    } catch (error) {
      return this.renderProblem(request, reply, id, error, form);
    }
    await reply.redirect(`/officer/cases/${id}?done=${action}`, 303);
  }

  @Post('cases/:id/notes')
  async note(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const form = textFields(body);
    try {
      await this.decisions.addNote(officerOf(request), id, form.note ?? '');
    } catch (error) {
      // The page has two text fields: the note's is `note`, the decision's is `text`.
      const problem =
        error instanceof ValidationException
          ? new ValidationException(error.fieldErrors.map((e) => (e.field === 'text' ? { ...e, field: 'note' } : e)))
          : error;
      return this.renderProblem(request, reply, id, problem, form);
    }
    await reply.redirect(`/officer/cases/${id}?done=note`, 303);
  }

  @Post('cases/:id/release')
  async release(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    try {
      await this.queue.release(officerOf(request), id);
    } catch (error) {
      return this.renderProblem(request, reply, id, error, {});
    }
    await reply.redirect('/officer/queue?notice=released', 303);
  }

  @Get('cases/:id/files/:fileId')
  async file(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('fileId', ParseUUIDPipe) fileId: string,
  ): Promise<void> {
    const { bytes, mimeType } = await this.workspace.file(officerOf(request), id, fileId);
    await sendInline(reply, bytes, mimeType);
  }

  @Get('supervisor')
  @OfficerRoute('supervisor')
  async supervisor(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const officer = officerOf(request);
    const dashboard = await this.dashboard.build(officer, {
      decisions: request.t('review.dashboard.decisions'),
      median: request.t('review.dashboard.median'),
    });
    const unassigned = await this.queue.list(officer, { limit: 50 });
    await reply.view('review/dashboard.njk', {
      officer,
      dashboard,
      unassigned,
      statusLabel: this.statusLabels(request.t),
      done: (request.query as Form).done ?? null,
    });
  }

  @Post('supervisor/assign')
  @OfficerRoute('supervisor')
  async assign(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown): Promise<void> {
    const form = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const caseIds = ([] as unknown[])
      .concat(form.caseIds ?? [])
      .filter((v): v is string => typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v));
    const officerId = typeof form.officerId === 'string' && form.officerId.trim() ? form.officerId.trim() : null;
    const errors: FieldError[] = [];
    if (caseIds.length === 0) errors.push({ field: 'caseIds', messages: [request.t('review.errors.chooseCases')] });
    if (officerId && !/^[0-9a-f-]{36}$/i.test(officerId))
      errors.push({ field: 'officerId', messages: [request.t('review.errors.officerId')] });
    if (!errors.length) {
      try {
        await this.queue.assign(officerOf(request), caseIds, officerId);
        return reply.redirect(`/officer/supervisor?done=${officerId ? 'assigned' : 'unassigned'}`, 303);
      } catch (error) {
        if (!(error instanceof DomainException) || error.status >= 500) throw error;
        errors.push({ field: 'officerId', messages: [error.message] });
      }
    }
    const officer = officerOf(request);
    const dashboard = await this.dashboard.build(officer, {
      decisions: request.t('review.dashboard.decisions'),
      median: request.t('review.dashboard.median'),
    });
    const unassigned = await this.queue.list(officer, { limit: 50 });
    await reply.code(400).view('review/dashboard.njk', {
      officer,
      dashboard,
      unassigned,
      statusLabel: this.statusLabels(request.t),
      errors,
      fieldErrors: byField(errors),
      form,
    });
  }

  private async renderProblem(request: FastifyRequest, reply: FastifyReply, id: string, error: unknown, form: Form): Promise<void> {
    if (error instanceof ValidationException) {
      return this.renderCase(request, reply, id, 400, { errors: error.fieldErrors, form });
    }
    if (error instanceof DomainException && error.status === 409) {
      return this.renderCase(request, reply, id, 409, { conflict: error.message, form });
    }
    throw error;
  }

  private async renderCase(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    status: number,
    extra: Record<string, unknown>,
  ): Promise<void> {
    const workspace = await this.workspace.open(officerOf(request), id, request.t);
    const errors = (extra.errors as FieldError[] | undefined) ?? [];
    await reply.code(status).view('review/case.njk', {
      officer: officerOf(request),
      ws: workspace,
      statusLabel: this.statusLabels(request.t),
      details: workspace.details.map((d) => ({ label: request.t(d.labelKey), value: d.value })),
      actionOptions: workspace.actions.map((action) => ({ value: action, label: request.t(`review.action.${action}`) })),
      reasonOptions: [
        { value: '', label: request.t('review.case.noReason') },
        ...REFUSAL_REASONS.map((r) => ({ value: r.code, label: request.locale === 'zh-Hant' ? r.zh : r.en })),
      ],
      done: (request.query as Form).done ?? null,
      errors,
      fieldErrors: byField(errors),
      form: {},
      ...extra,
    });
  }
}

/** The form's text fields: a missing body, a repeated field (an array) or a JSON value of another type is left out. */
function textFields(body: unknown): Form {
  const fields = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => typeof value === 'string')) as Form;
}

function byField(errors: FieldError[]): Record<string, string[]> {
  return Object.fromEntries(errors.map((e) => [e.field, e.messages]));
}

function stringify(query: QueueQueryDto): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query)
      .filter(([key, value]) => key !== 'after' && value !== undefined && value !== null && value !== '')
      .map(([key, value]) => [key, String(value)]),
  );
}
