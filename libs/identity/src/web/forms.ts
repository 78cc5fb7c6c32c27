import type { FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, ValidationException } from '@app/platform';

/** A text field of a url-encoded form, trimmed unless it is a password; '' when absent or not text. */
export function field(body: unknown, name: string, options: { trim?: boolean; max?: number } = {}): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (typeof value !== 'string') return '';
  const text = value.slice(0, options.max ?? 1000);
  return options.trim === false ? text : text.trim();
}

/** Every value of a repeated field (checkboxes). */
export function fieldList(body: unknown, name: string): string[] {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string').slice(0, 20);
}

interface PageErrors {
  errorSummary: FieldError[];
  fieldErrors: Record<string, string[]>;
}

/** Field problems given as message keys, translated for the error summary and the fields. */
function pageErrors(request: FastifyRequest, problems: FieldError[]): PageErrors {
  const errorSummary = problems.map((problem) => ({ field: problem.field, messages: problem.messages.map((key) => request.t(key)) }));
  return { errorSummary, fieldErrors: Object.fromEntries(errorSummary.map((e) => [e.field, e.messages])) };
}

/** Renders a form again with its errors (status 400). */
export function rerender(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  problems: FieldError[],
  data: Record<string, unknown> = {},
): FastifyReply {
  return reply.code(400).view(template, { ...data, ...pageErrors(request, problems) }) as unknown as FastifyReply;
}

/** Runs a step that may throw a ValidationException and renders the form again if it does. */
export async function orRerender(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  data: Record<string, unknown>,
  step: () => Promise<FastifyReply | void>,
): Promise<FastifyReply | void> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof ValidationException) return rerender(request, reply, template, error.fieldErrors, data);
    throw error;
  }
}

/** A local path to come back to after signing in; anything else (other sites, odd forms) is dropped. */
export function safeReturnPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 500) return null;
  if (!/^\/(officer|admin\/queues)(\/[A-Za-z0-9._~\-/]*)?$/.test(value)) return null;
  return value.includes('//') || value.includes('/..') ? null : value;
}

export function see(reply: FastifyReply, location: string): FastifyReply {
  return reply.redirect(location, 303);
}
