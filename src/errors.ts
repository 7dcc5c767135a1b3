/** Domain errors. Each has a literal `type`; src/http/errorHandler.ts maps them to statuses. */
export type FieldError = { path: string; message: string };

export class ValidationError extends Error {
  readonly type = 'ValidationError';
  constructor(
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends Error {
  readonly type = 'PayloadTooLargeError';
}

export class UnauthorizedError extends Error {
  readonly type = 'UnauthorizedError';
}

export class ForbiddenError extends Error {
  readonly type = 'ForbiddenError';
}

export class NotFoundError extends Error {
  readonly type = 'NotFoundError';
}

export class ConcurrencyError extends Error {
  readonly type = 'ConcurrencyError';
}

export class RateLimitedError extends Error {
  readonly type = 'RateLimitedError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The event store (or another backing service) cannot be reached; retrying later is safe. */
export class UnavailableError extends Error {
  readonly type = 'UnavailableError';
}

export type DomainError =
  | ValidationError
  | PayloadTooLargeError
  | UnauthorizedError
  | ForbiddenError
  | NotFoundError
  | ConcurrencyError
  | RateLimitedError
  | UnavailableError;

const statuses: Record<DomainError['type'], number> = {
  ValidationError: 400,
  UnauthorizedError: 401,
  ForbiddenError: 403,
  NotFoundError: 404,
  ConcurrencyError: 409,
  PayloadTooLargeError: 413,
  RateLimitedError: 429,
  UnavailableError: 503,
};

export function statusOf(err: unknown): number | undefined {
  const type = (err as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type in statuses
    ? statuses[type as DomainError['type']]
    : undefined;
}
