import { createParamDecorator, type ExecutionContext, type Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import type { FieldError } from '../errors/domain-exception.js';
import type { Translate } from '../web/i18n.js';
import { translateValidationErrors } from './messages.js';

/** A form read through its DTO: the typed value when it is valid, else the field errors in the reader's language. */
export type Checked<T> =
  | { ok: true; value: T; errors: []; raw: Record<string, unknown> }
  | { ok: false; value: null; errors: FieldError[]; raw: Record<string, unknown> };

/** Fields a page form may carry beyond its DTO: the CSRF token, the button pressed, the language switch. */
const PAGE_FIELDS = new Set(['_csrf', 'action', 'lang']);

/**
 * Reads a body through a DTO class, as the JSON API's ValidationPipe does (transform, whitelist,
 * every constraint; synchronous constraints only), with messages in the reader's language. Unknown fields are refused, but for
 * the few every page form carries.
 */
export function validateForm<T extends object>(dto: Type<T>, body: unknown, t: Translate): Checked<T> {
  const raw = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const fields = Object.fromEntries(Object.entries(raw).filter(([name]) => !PAGE_FIELDS.has(name)));
  const value = plainToInstance(dto, fields);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: false });
  if (errors.length) return { ok: false, value: null, errors: translateValidationErrors(errors, t), raw };
  return { ok: true, value, errors: [], raw };
}

/**
 * A page form read through its DTO, in the request's language: the handler gets `Checked<T>` and
 * shows the page again with the errors, or goes on with the value. (The global ValidationPipe skips
 * custom decorators, so it never sees page forms.)
 */
export const FormBody = createParamDecorator((dto: Type<object>, context: ExecutionContext): Checked<object> => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return validateForm(dto, request.body, request.t);
});
