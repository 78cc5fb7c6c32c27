import type { ValidationError, ValidationOptions } from 'class-validator';
import type { FieldError } from '../errors/domain-exception.js';
import type { Translate } from '../web/i18n.js';

/**
 * The one way a DTO says what is wrong: a message key (translated for each reader, English for the
 * JSON API) and the values the message names, carried in class-validator's `context`.
 *   @MaxLength(100, msg('legalisation.err.tooLong', { max: 100 }))
 */
export function msg(key: string, params?: Record<string, string | number>, options: ValidationOptions = {}): ValidationOptions {
  return { ...options, message: key, context: { ...(options.context as object | undefined), params } };
}

/**
 * class-validator's errors as field errors in the reader's language: each constraint's message is a
 * message key (or, for a constraint declared without `msg`, class-validator's own English sentence,
 * which the translator passes through). Nested objects and arrays give `items[0].surname`.
 */
export function translateValidationErrors(errors: readonly ValidationError[], t: Translate, parent = ''): FieldError[] {
  const result: FieldError[] = [];
  for (const error of errors) {
    // Array members read as `items[0]`, the way API clients and the pages name them.
    const field = /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      const messages = Object.entries(error.constraints).map(([name, key]) => {
        const params = (error.contexts?.[name] as { params?: Record<string, string | number> } | undefined)?.params;
        return t(key, params);
      });
      result.push({ field, messages: [...new Set(messages)] });
    }
    if (error.children?.length) result.push(...translateValidationErrors(error.children, t, field));
  }
  return result;
}
