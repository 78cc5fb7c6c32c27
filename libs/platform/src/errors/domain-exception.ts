/** A field-level problem, reported to API clients in `details` and to pages next to the field. */
export interface FieldError {
  field: string;
  messages: string[];
}

const statusByCode = new Map<string, number>([
  ['VALIDATION_FAILED', 400],
  ['BAD_REQUEST', 400],
  ['UNAUTHENTICATED', 401],
  ['FORBIDDEN', 403],
  ['NOT_FOUND', 404],
  ['METHOD_NOT_ALLOWED', 405],
  ['CONFLICT', 409],
  ['PAYLOAD_TOO_LARGE', 413],
  ['UNSUPPORTED_MEDIA_TYPE', 415],
  ['UNPROCESSABLE', 422],
  ['TOO_MANY_REQUESTS', 429],
  ['INTERNAL_ERROR', 500],
  ['NOT_READY', 503],
]);

/**
 * Each domain declares its error codes once, with the HTTP status they map to; the single
 * exception filter reads this table. Returns the codes as a typed object for throwing.
 */
export function registerErrorCodes<const T extends Record<string, number>>(codes: T): { [K in keyof T]: K } {
  const names = {} as { [K in keyof T]: K };
  for (const [code, status] of Object.entries(codes)) {
    const existing = statusByCode.get(code);
    if (existing !== undefined && existing !== status) {
      throw new Error(`error code ${code} is registered twice with different statuses`);
    }
    statusByCode.set(code, status);
    (names as Record<string, string>)[code] = code;
  }
  return names;
}

export function httpStatusFor(code: string): number {
  return statusByCode.get(code) ?? 400;
}

export class DomainException extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: FieldError[] | Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainException';
  }

  get status(): number {
    return httpStatusFor(this.code);
  }
}

export class ValidationException extends DomainException {
  constructor(
    readonly fieldErrors: FieldError[],
    message = 'Some answers need correcting.',
  ) {
    super('VALIDATION_FAILED', message, fieldErrors);
  }
}
