import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeStatus } from '@app/notifications';
import { DomainException, type FieldError, OfficerRoute, ValidationException } from '@app/platform';
import { economyName } from '../settings.js';
import { text } from '../validation.js';
import { ClearanceService } from './clearance.service.js';

type Form = Record<string, string>;

const DONE = new Set(['recorded', 'issued', 'refused']);

function formOf(body: unknown): Form {
  const raw = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, text(value)]));
}

/**
 * The officer's pre-clearance page of an application: each economy's answer, then the card or the
 * refusal. Post-scoped (another post's officer gets 404 unless HQ or supervisor); each form
 * carries the version the officer saw, and a stale one is 409.
 */
@ApiExcludeController()
@OfficerRoute()
@Controller('officer/abtc')
export class ClearanceController {
  constructor(private readonly clearances: ClearanceService) {}

  @Get(':caseId')
  async page(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('caseId', ParseUUIDPipe) caseId: string): Promise<void> {
    await this.render(request, reply, caseId, 200, {});
  }

  @Post(':caseId/clearances')
  async record(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Body() body: unknown,
  ) {
    const form = formOf(body);
    await this.act(request, reply, caseId, form, 'recorded', () =>
      this.clearances.record(request.officer!, caseId, form.expectedVersion, {
        economy: form.economy ?? '',
        decision: form.decision ?? '',
        note: form.note ?? '',
      }),
    );
  }

  @Post(':caseId/issue')
  async issue(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Body() body: unknown,
  ) {
    const form = formOf(body);
    await this.act(request, reply, caseId, form, 'issued', () => this.clearances.issue(request.officer!, caseId, form.expectedVersion));
  }

  @Post(':caseId/refuse')
  async refuse(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('caseId', ParseUUIDPipe) caseId: string,
    @Body() body: unknown,
  ) {
    const form = formOf(body);
    await this.act(request, reply, caseId, form, 'refused', () =>
      this.clearances.refuse(request.officer!, caseId, form.expectedVersion, form.reason ?? ''),
    );
  }

  private async act(request: FastifyRequest, reply: FastifyReply, caseId: string, form: Form, done: string, command: () => Promise<void>) {
    try {
      await command();
    } catch (error) {
      if (error instanceof ValidationException) return this.render(request, reply, caseId, 400, { errors: error.fieldErrors, form });
      if (error instanceof DomainException && error.status === 409)
        return this.render(request, reply, caseId, 409, { conflict: error.message, form });
      throw error;
    }
    await reply.redirect(`/officer/abtc/${caseId}?done=${done}`, 303);
  }

  private async render(
    request: FastifyRequest,
    reply: FastifyReply,
    caseId: string,
    status: number,
    extra: { errors?: FieldError[]; form?: Form; conflict?: string },
  ): Promise<void> {
    const t = request.t;
    const { current, view } = await this.clearances.load(request.officer!, caseId);
    const done = text((request.query as Record<string, unknown>).done);
    const errors = extra.errors ?? [];
    const rows = view.clearances.map((c) => ({
      code: c.economy.code,
      name: economyName(c.economy, request.locale),
      status: c.status,
      statusLabel: t(`abtc.clearance.${c.status}`),
      note: c.note,
    }));
    const pending = rows.filter((r) => r.status === 'PENDING');
    const approved = rows.filter((r) => r.status === 'APPROVED');
    await reply.code(status).view('abtc/officer/clearances.njk', {
      current,
      view,
      rows,
      statusLabel: describeStatus(t, 'abtc', current.status).label,
      inPreClearance: current.status === 'PRE_CLEARANCE',
      canIssue: pending.length === 0 && approved.length > 0,
      canRefuse: pending.length === 0 && approved.length === 0 && rows.length > 0,
      economyOptions: [{ value: '', label: t('abtc.officer.chooseEconomy') }, ...pending.map((r) => ({ value: r.code, label: r.name }))],
      decisionOptions: ['APPROVED', 'REFUSED'].map((value) => ({ value, label: t(`abtc.clearance.${value}`) })),
      done: DONE.has(done) ? done : null,
      errors,
      fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.messages])),
      conflict: extra.conflict ?? null,
      form: extra.form ?? {},
    });
  }
}
