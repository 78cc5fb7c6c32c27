import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * Text as a person typed it: NFKC (full-width digits and letters become ASCII), trimmed; anything
 * but a string or a number stays as it is for the type check to refuse.
 */
export function Trim(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.normalize('NFKC').trim() : typeof value === 'number' ? String(value) : value,
  );
}

/** A whole number typed in a form box ("3", " 3 ") or sent as a JSON number; '' and anything else stay to be refused. */
export function ToCount(options: { emptyIs?: number } = {}): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (typeof value === 'number') return value;
    if (typeof value !== 'string') return value;
    const text = value.normalize('NFKC').trim();
    if (text === '' && options.emptyIs !== undefined) return options.emptyIs;
    return /^\d{1,6}$/.test(text) ? Number(text) : value;
  });
}

/** `YYYY-MM-DD` that is a real calendar date. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** A real calendar date (`YYYY-MM-DD`) from 1900 up to yesterday: a date of birth. */
export function IsPastDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isPastDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => isCalendarDate(value) && value >= '1900-01-01' && value < new Date().toISOString().slice(0, 10),
      },
    });
}

/** A real calendar date (`YYYY-MM-DD`). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: { validate: (value: unknown) => isCalendarDate(value) },
    });
}
