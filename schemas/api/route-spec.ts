import * as z from '../zod';
import { IdSchema, PageQuerySchema, ShortTextSchema } from '../common';

/**
 * A route of the HTTP API's catalogue (schemas/api/routes.ts), which the deployment serves, the OpenAPI
 * document describes and the tests walk. `operation` is "<domain>/<operation>": the domain's API
 * function (functions/<domain>/api.ts) serves it under that operation's name.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export interface RouteSpec {
  method: HttpMethod;
  path: string;
  operation: string;
  summary: string;
  /** jwt: a signed-in user's ID token; signature: the sending system's HMAC, checked by the handler; none: public */
  auth: 'jwt' | 'signature' | 'none';
  tag: string;
  /**
   * The route's request and response schemas, for the OpenAPI document and the tests. A function: the
   * router needs none of them, and a domain's function does not build them all at its cold start.
   */
  contract?: () => RouteContract;
}
export interface RouteContract {
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  response?: z.ZodMiniType;
}

/** The list filters a record type offers; each maps to an index partition (see schemas/keys/table.ts). */
export const LIST_FILTERS = ['ownerId', 'departmentId', 'status', 'accountId', 'leadId', 'region', 'parentId', 'promotionId'] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];

/**
 * A list's query: paging, any of its filters (combined, each narrowing the list), and for a searchable
 * type `q`. `values` gives a filter its own schema where the values are known (a status's enum), so
 * that a bad value is a 400 naming the filter rather than an empty list.
 */
export const listQuerySchema = (filters: readonly ListFilter[], options: { search?: boolean; values?: Partial<Record<ListFilter, z.ZodMiniType<string>>> } = {}) =>
  z.strictObject({
    ...PageQuerySchema.shape,
    ...Object.fromEntries(filters.map((f) => [f, z.optional(options.values?.[f] ?? (f === 'region' || f === 'status' ? ShortTextSchema : IdSchema))])),
    // the text searched for: what a person types
    ...(options.search ? { q: z.optional(ShortTextSchema) } : {}),
  });

export const listResponseSchema = (item: z.ZodMiniType) =>
  z.object({ items: z.array(item), nextCursor: z.optional(z.string()) });

export const DeleteQuerySchema = z.strictObject({ version: z.coerce.number().check(z.int(), z.gte(1)) });

/** The domain a catalogue route is served by, and its operation within it: "records/create-account". */
export const operationOf = (route: Pick<RouteSpec, 'operation'>) => {
  const [domain = '', operation = ''] = route.operation.split('/');
  return { domain, operation };
};

/** API Gateway's route key, e.g. "GET /accounts/{id}". */
export const routeKey = (route: Pick<RouteSpec, 'method' | 'path'>) => `${route.method} ${route.path}`;
