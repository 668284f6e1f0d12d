import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError } from './errors';

const STATUS: Record<DomainError['kind'], { status: number; title: string }> = {
  invalid: { status: 400, title: 'Bad Request' },
  unauthenticated: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not Found' },
  'method-not-allowed': { status: 405, title: 'Method Not Allowed' },
  conflict: { status: 409, title: 'Conflict' },
  unprocessable: { status: 422, title: 'Unprocessable Content' },
};

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** RFC 9457 problem details; a 400 or 422 lists every bad field. */
export function problem(error: DomainError, instance?: string): APIGatewayProxyStructuredResultV2 {
  const { status, title } = STATUS[error.kind];
  const body = {
    type: `https://tradeflow.example/problems/${error.kind}`,
    title,
    status,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(error.issues.length ? { errors: error.issues } : {}),
  };
  return { statusCode: status, headers: { ...error.headers, 'content-type': 'application/problem+json' }, body: JSON.stringify(body) };
}

export const internalError = (requestId: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode: 500,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({
    type: 'https://tradeflow.example/problems/internal',
    title: 'Internal Server Error',
    status: 500,
    detail: `something failed on our side; quote request ${requestId}`,
  }),
});

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
