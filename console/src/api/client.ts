import type { EndpointKey, EndpointOf } from './endpoints';

/** A problem+json answer: the status, the API's words, and for a 400 the fields it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    /** field (as the form names it: "lines.0.evidenceRef") → message */
    readonly fields: Record<string, string>,
  ) {
    super(detail ?? title);
  }
}

type PathParams<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | PathParams<Rest> : never;
type PathOf<K extends string> = K extends `${string} ${infer P}` ? P : never;
type Options<K extends EndpointKey> =
  ([PathParams<PathOf<K>>] extends [never] ? { path?: undefined } : { path: Record<PathParams<PathOf<K>>, string> })
  & (EndpointOf<K>['body'] extends undefined ? { body?: undefined } : { body: EndpointOf<K>['body'] })
  & { query?: EndpointOf<K>['query'] };

export interface ApiConfig {
  /** the API's origin; '' for the console's own origin (local) */
  baseUrl: string;
  token: () => string | undefined;
  /** called on a 401: the session ended, for this reason (expired, ...) */
  onUnauthorized?: (reason: string) => void;
}

let config: ApiConfig = { baseUrl: '', token: () => undefined };
export const configureApi = (next: ApiConfig) => { config = next; };

/** One call of a catalogue route, e.g. api('GET /accounts/{id}', { path: { id } }). */
export async function api<K extends EndpointKey>(key: K, ...[options]: Partial<Options<K>> extends Options<K> ? [Options<K>?] : [Options<K>]): Promise<EndpointOf<K>['response']> {
  const [method, template] = key.split(' ') as [string, string];
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent((options?.path as Record<string, string>)[name] ?? ''));
  const query = new URLSearchParams(
    Object.entries((options?.query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== '').map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  const token = config.token();
  const response = await fetch(`${config.baseUrl}${path}${query ? `?${query}` : ''}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options?.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options?.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  const json = text ? safeJson(text) : undefined;
  if (response.ok) return json as EndpointOf<K>['response'];
  if (response.status === 401) config.onUnauthorized?.(whyUnauthorized(response.headers, json));
  throw toApiError(response.status, json);
}

/**
 * Why the API refused the token: the problem's detail where the API wrote one (the functions, and the
 * local gateway); in the cloud, API Gateway's JWT authorizer answers `{"message":"Unauthorized"}` and
 * says why only in its www-authenticate header's error_description.
 */
export function whyUnauthorized(headers: Headers, json: unknown): string {
  const detail = (json as { detail?: unknown } | undefined)?.detail;
  if (typeof detail === 'string' && detail) return detail;
  const description = /error_description="([^"]*)"/.exec(headers.get('www-authenticate') ?? '')?.[1];
  return description || 'no valid token';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { title: text };
  }
}

function toApiError(status: number, json: unknown): ApiError {
  const problem = (json ?? {}) as { title?: string; detail?: string; message?: string; errors?: { field: string; message: string }[] };
  const fields: Record<string, string> = {};
  for (const error of problem.errors ?? []) {
    const field = error.field.replace(/^(body|query|path)\.?/, '');
    fields[field] = fields[field] ? `${fields[field]}; ${error.message}` : error.message;
  }
  return new ApiError(status, problem.title ?? problem.message ?? `HTTP ${status}`, problem.detail, fields);
}
