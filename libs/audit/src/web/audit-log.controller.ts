import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type FieldError, OfficerRoute } from '@app/platform';
import { AuditBrowser, type AuditFilter } from '../audit-browser.js';

const ACTION = /^[a-z][a-z0-9_.]{0,79}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 3600 * 1000;

/** Supervisors browse the audit trail, newest first, filtered and paged by sequence number. */
@ApiExcludeController()
@OfficerRoute('supervisor')
@Controller('officer/audit')
export class AuditLogController {
  constructor(private readonly browser: AuditBrowser) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply): Promise<void> {
    const form = {
      action: text(query.action),
      actor: text(query.actor),
      target: text(query.target),
      post: text(query.post).toUpperCase(),
      outcome: text(query.outcome),
      from: text(query.from),
      to: text(query.to),
    };
    const { filter, errors } = parseFilter(form);
    const beforeText = text(query.before);
    const before = /^\d{1,15}$/.test(beforeText) ? Number(beforeText) : null;
    if (errors.length) {
      const t = reply.request.t;
      const translated = errors.map((e) => ({ field: e.field, messages: e.messages.map((m) => t(m)) }));
      return reply.code(400).view('audit/log.njk', { form, rows: [], errorSummary: translated, fieldErrors: byField(translated) });
    }
    const page = await this.browser.page(filter, before);
    const filters = new URLSearchParams(Object.entries(form).filter(([, value]) => value !== '')).toString();
    const withFilters = (extra: string) => `/officer/audit?${[filters, extra].filter(Boolean).join('&')}`;
    return reply.view('audit/log.njk', {
      form,
      rows: page.rows.map((row) => ({ ...row, detailsText: Object.keys(row.details).length ? JSON.stringify(row.details) : '' })),
      nextHref: page.nextBefore !== null ? withFilters(`before=${page.nextBefore}`) : null,
      newestHref: before === null ? null : withFilters(''),
      fieldErrors: {},
    });
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim().slice(0, 200) : '';
}

function parseFilter(form: Record<string, string>): { filter: AuditFilter; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const filter: AuditFilter = {};
  if (form.action) {
    if (ACTION.test(form.action)) filter.action = form.action;
    else errors.push({ field: 'action', messages: ['audit.error.action'] });
  }
  if (form.actor) filter.actorName = form.actor.toLowerCase();
  if (form.target) filter.targetId = form.target;
  if (form.post) filter.postCode = form.post;
  if (form.outcome) {
    if (form.outcome === 'success' || form.outcome === 'failure') filter.outcome = form.outcome;
    else errors.push({ field: 'outcome', messages: ['audit.error.outcome'] });
  }
  const from = parseDate(form.from!);
  if (from === undefined) errors.push({ field: 'from', messages: ['audit.error.date'] });
  else if (from) filter.from = from;
  const to = parseDate(form.to!);
  if (to === undefined) errors.push({ field: 'to', messages: ['audit.error.date'] });
  else if (to) filter.to = new Date(to.getTime() + DAY_MS);
  if (filter.from && filter.to && filter.from >= filter.to) errors.push({ field: 'to', messages: ['audit.error.range'] });
  return { filter, errors };
}

/** null when empty, undefined when not a real date. */
function parseDate(value: string): Date | null | undefined {
  if (!value) return null;
  if (!DATE.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? undefined : date;
}

function byField(errors: FieldError[]): Record<string, string[]> {
  return Object.fromEntries(errors.map((e) => [e.field, e.messages]));
}
