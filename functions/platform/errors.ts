/**
 * Domain errors: thrown by the plain functions, mapped to HTTP only at the API edge (api-handler.ts).
 * Event and workflow handlers let them propagate so that retries, DLQs and Catch see the failure.
 */
export interface FieldIssue {
  field: string;
  message: string;
  code?: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: 'invalid' | 'unauthenticated' | 'forbidden' | 'not-found' | 'method-not-allowed' | 'conflict' | 'unprocessable',
    message: string,
    readonly issues: FieldIssue[] = [],
    /** response headers the refusal needs (a 405's Allow, a 409's Retry-After) */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (message: string, issues: FieldIssue[]) => new DomainError('invalid', message, issues);
export const invalidField = (field: string, message: string) => invalid(`${field} ${message}`, [{ field, message }]);
export const unauthenticated = (message: string) => new DomainError('unauthenticated', message);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const notFound = (message: string) => new DomainError('not-found', message);
export const methodNotAllowed = (message: string, allowed: string[]) =>
  new DomainError('method-not-allowed', message, [], { allow: allowed.join(', ') });
export const conflict = (message: string, headers: Record<string, string> = {}) => new DomainError('conflict', message, [], headers);
/** Well-formed and understood, but at odds with what the request itself claims (422). */
export const unprocessable = (message: string, issues: FieldIssue[]) => new DomainError('unprocessable', message, issues);
