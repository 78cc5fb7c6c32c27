import type { FieldError } from '@app/platform';

export type Form = Record<string, string | undefined>;

/** A form's text fields: a missing or non-object body, a repeated field (an array) or a JSON value of another type is left out. */
export function textFields(body: unknown): Form {
  const fields = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => typeof value === 'string')) as Form;
}

export function byField(errors: FieldError[]): Record<string, string[]> {
  return Object.fromEntries(errors.map((e) => [e.field, e.messages]));
}
