import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { AuditLog, officerActor } from '@app/audit';
import { findCaseInScope, RequireRecentAuth } from '@app/identity';
import { describeStatus } from '@app/notifications';
import { type FieldError, OfficerRoute, postScopeOf, ValidationException } from '@app/platform';
import { EvisaOfficerActions, REVOCATION_REASONS, type RevocationReason } from '../officer-actions.service.js';

type RevokeForm = Record<string, string | undefined>;

/**
 * Revoking an issued eVisa: a sensitive action, so the officer confirms their password first
 * (re-authentication), chooses a reason, and the revocation is audited. Verification then
 * answers "revoked".
 */
@ApiExcludeController()
@OfficerRoute()
@Controller('officer/evisa')
export class EvisaRevokeController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actions: EvisaOfficerActions,
    private readonly audit: AuditLog,
  ) {}

  @Get(':id/revoke')
  @RequireRecentAuth()
  async confirm(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.render(request, reply, id, 200, [], {});
  }

  @Post(':id/revoke')
  @RequireRecentAuth()
  @HttpCode(200)
  async revoke(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const officer = request.officer!;
    const form = revokeForm(body);
    const reason = form.reason ?? '';
    const errors: FieldError[] = [];
    if (!(REVOCATION_REASONS as readonly string[]).includes(reason))
      errors.push({ field: 'reason', messages: [request.t('evisa.officer.revokeChooseReason')] });
    if ((form.text ?? '').length > 2000) errors.push({ field: 'text', messages: [request.t('evisa.officer.revokeTextTooLong')] });
    if (errors.length) return this.render(request, reply, id, 400, errors, form);
    try {
      await this.dataSource.transaction(async (manager) => {
        const current = await findCaseInScope(manager, id, postScopeOf(officer), true);
        await this.actions.revoke(
          manager,
          id,
          Number(form.expectedVersion),
          officer,
          reason as RevocationReason,
          form.text?.trim() || null,
        );
        await this.audit.record(manager, {
          action: 'evisa.revoked',
          actor: officerActor(officer),
          target: { type: 'case', id },
          postCode: current.postCode,
          details: { reason },
        });
      });
    } catch (error) {
      if (error instanceof ValidationException) return this.render(request, reply, id, 400, error.fieldErrors, form);
      throw error;
    }
    await reply.redirect(`/officer/cases/${id}?done=revoked`, 303);
  }

  private async render(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    status: number,
    errors: FieldError[],
    form: RevokeForm,
  ): Promise<void> {
    const current = await findCaseInScope(this.dataSource.manager, id, postScopeOf(request.officer!));
    await reply.code(status).view('evisa/officer/revoke.njk', {
      current,
      statusLabel: describeStatus(request.t, current.service, current.status).label,
      errors,
      fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.messages])),
      form,
      reasons: REVOCATION_REASONS.map((value) => ({ value, label: request.t(`evisa.officer.revocation.${value}`) })),
    });
  }
}

/** The form's own fields, as strings: a missing or non-object body, a repeated field (an array) or a JSON value of another type is left out. */
function revokeForm(body: unknown): RevokeForm {
  const fields = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const form: RevokeForm = {};
  for (const name of ['reason', 'text', 'expectedVersion']) {
    if (typeof fields[name] === 'string') form[name] = fields[name];
  }
  return form;
}
