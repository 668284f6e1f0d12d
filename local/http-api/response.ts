/** An HTTP response as the local server writes it; header names lower-case. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** API Gateway's own answers: `{"message":"Not Found"}` and the like. */
export function gatewayResponse(statusCode: number, message: string, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

/**
 * An RFC 9457 problem in the product's own vocabulary (as functions/platform/http.ts writes them), for
 * the refusals the gateway makes before any function runs: no route, no valid token. API Gateway
 * itself answers those with `{"message": ...}` and cannot be told otherwise (docs/decisions.md); the
 * local gateway says which, and keeps the headers API Gateway sends.
 */
export function gatewayProblem(
  statusCode: number, kind: 'unauthenticated' | 'not-found', title: string, detail: string, instance: string, headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: { ...headers, 'content-type': 'application/problem+json' },
    body: Buffer.from(JSON.stringify({ type: `https://tradeflow.example/problems/${kind}`, title, status: statusCode, detail, instance })),
  };
}

export const jsonResponse = (statusCode: number, value: unknown): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(value)),
});

// Hop-by-hop and framing headers are the server's to set, whatever the function returned.
const IGNORED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

/**
 * Maps a function's result the way payload format 2.0 does: an object with a statusCode is a response
 * (statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded); anything else is the body of
 * a 200 JSON response (a string as it is, other values as JSON). Throws when the result is malformed,
 * which API Gateway answers with a 500.
 */
export function fromLambdaResult(result: unknown): HttpResponse {
  if (!isRecord(result) || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null');
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }

  const { statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded } = result;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new Error(`the function returned statusCode ${JSON.stringify(statusCode)}, not an HTTP status`);
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new Error(`the function returned a body of type ${typeof body}; it must be a string (JSON.stringify it)`);
  }

  const out: Record<string, string | string[]> = {};
  const add = (name: string, value: unknown) => {
    const key = name.toLowerCase();
    if (IGNORED_HEADERS.has(key) || value === undefined || value === null) return;
    const previous = out[key];
    out[key] = previous === undefined ? String(value) : [previous, String(value)].flat();
  };
  for (const [name, value] of Object.entries(isRecord(headers) ? headers : {})) add(name, value);
  for (const [name, values] of Object.entries(isRecord(multiValueHeaders) ? multiValueHeaders : {})) {
    for (const value of Array.isArray(values) ? values : [values]) add(name, value);
  }
  for (const cookie of Array.isArray(cookies) ? cookies : []) add('set-cookie', cookie);

  const text = body ?? '';
  return { statusCode, headers: out, body: Buffer.from(text, isBase64Encoded === true ? 'base64' : 'utf8') };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
