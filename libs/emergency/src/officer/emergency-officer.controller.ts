import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeStatus } from '@app/notifications';
import { type AuthenticatedOfficer, DomainException, type FieldError, OfficerRoute, ValidationException } from '@app/platform';
import { EmergencyService } from '../emergency.service.js';
import { CONTACT_CHANNELS, PRIORITIES } from '../settings.js';
import { byField, type Form, textFields } from '../web/form-fields.js';

const DONE = new Set(['triaged', 'started', 'contact', 'resolved', 'closed']);

/** What an officer can do next from each status, besides logging a contact. */
const NEXT_ACTION: Record<string, 'triage' | 'start' | 'resolve' | 'close' | undefined> = {
  REPORTED: 'triage',
  TRIAGED: 'start',
  IN_PROGRESS: 'resolve',
  RESOLVED: 'close',
};

const officerOf = (request: FastifyRequest): AuthenticatedOfficer => request.officer!;

/**
 * The officers' emergency page: the report, the contact log and the next step (triage, start,
 * resolve, close). Post-scoped like the review workspace: another post's case is 404 unless the
 * officer sees every post. Each form carries the version the officer saw; a stale one is 409.
 */
@ApiExcludeController()
@OfficerRoute('officer', 'supervisor')
@Controller('officer/emergency')
export class EmergencyOfficerController {
  constructor(private readonly emergencies: EmergencyService) {}

  @Get(':id')
  async page(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.render(request, reply, id, 200, {});
  }

  @Post(':id/triage')
  async triage(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown) {
    const form = textFields(body);
    await this.act(request, reply, id, form, 'triaged', () =>
      this.emergencies.triage(officerOf(request), id, Number(form.expectedVersion), form.priority ?? '', request.t),
    );
  }

  @Post(':id/start')
  async start(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown) {
    const form = textFields(body);
    await this.act(request, reply, id, form, 'started', () =>
      this.emergencies.startWork(officerOf(request), id, Number(form.expectedVersion)),
    );
  }

  @Post(':id/contacts')
  async contact(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown) {
    const form = textFields(body);
    await this.act(request, reply, id, form, 'contact', () =>
      this.emergencies.logContact(
        officerOf(request),
        id,
        { channel: form.channel ?? '', note: form.note ?? '', share: form.share === 'yes' },
        request.t,
      ),
    );
  }

  @Post(':id/resolve')
  async resolve(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown) {
    const form = textFields(body);
    await this.act(request, reply, id, form, 'resolved', () =>
      this.emergencies.resolve(officerOf(request), id, Number(form.expectedVersion), form.resolutionNote ?? '', request.t),
    );
  }

  @Post(':id/close')
  async close(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id', ParseUUIDPipe) id: string, @Body() body: unknown) {
    const form = textFields(body);
    await this.act(request, reply, id, form, 'closed', () => this.emergencies.close(officerOf(request), id, Number(form.expectedVersion)));
  }

  private async act(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    form: Form,
    done: string,
    command: () => Promise<void>,
  ): Promise<void> {
    try {
      await command();
    } catch (error) {
      if (error instanceof ValidationException) return this.render(request, reply, id, 400, { errors: error.fieldErrors, form });
      if (error instanceof DomainException && error.status === 409)
        return this.render(request, reply, id, 409, { conflict: error.message, form });
      throw error;
    }
    await reply.redirect(`/officer/emergency/${id}?done=${done}`, 303);
  }

  private async render(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    status: number,
    extra: { errors?: FieldError[]; form?: Form; conflict?: string },
  ) {
    const t = request.t;
    const view = await this.emergencies.view(officerOf(request), id);
    const done = (request.query as Form).done;
    const errors = extra.errors ?? [];
    const applicant = view.case;
    await reply.code(status).view('emergency/officer/case.njk', {
      officer: officerOf(request),
      view,
      reporter: this.emergencies.reporter(applicant),
      statusLabel: describeStatus(t, 'emergency', view.case.status).label,
      nextAction: NEXT_ACTION[view.case.status] ?? null,
      canLogContact: view.case.status !== 'CLOSED',
      done: done && DONE.has(done) ? done : null,
      errors,
      fieldErrors: byField(errors),
      conflict: extra.conflict ?? null,
      form: extra.form ?? {},
      priorityOptions: PRIORITIES.map((p) => ({ value: String(p), label: t(`emergency.priority.${p}`) })),
      channelOptions: CONTACT_CHANNELS.map((value) => ({ value, label: t(`emergency.channel.${value}`) })),
      shareOptions: ['no', 'yes'].map((value) => ({ value, label: t(`emergency.officer.share.${value}`) })),
      categoryLabel: t(`emergency.category.${view.emergency.category}`),
      relationshipLabel: t(`emergency.relationship.${view.emergency.relationship}`),
    });
  }
}
