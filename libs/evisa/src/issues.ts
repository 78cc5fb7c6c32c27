import { type FieldError, type Translate, ValidationException } from '@app/platform';
import type { FieldIssue } from './answers.js';

/** Field problems as translated messages, grouped by field in the order they were found. */
export function translateIssues(issues: FieldIssue[], t: Translate): FieldError[] {
  const byField = new Map<string, string[]>();
  for (const issue of issues) {
    const label = t(`evisa.field.${issue.field}`);
    const messages = byField.get(issue.field) ?? [];
    messages.push(t(issue.key, { label, ...issue.params }));
    byField.set(issue.field, messages);
  }
  return [...byField].map(([field, messages]) => ({ field, messages }));
}

export function validationFailure(issues: FieldIssue[], t: Translate): ValidationException {
  return new ValidationException(translateIssues(issues, t));
}
