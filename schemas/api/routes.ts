import * as z from '../zod';
import { IdSchema, PageQuerySchema, ShortTextSchema } from '../common';
import {
  Accounts, Activities, Contacts, Departments, Leads, Opportunities, Products, Users, type RecordDefinition,
} from '../records';
// nurture sequences (issue 6)
import { DryRunBodySchema, NurtureSequenceSchema, SequenceLifecycleBodySchema } from '../nurture/sequence';

/**
 * The HTTP API's route catalogue: the one list that the CDK app turns into routes and functions, that the
 * OpenAPI document describes and that the tests walk. `handler` names `functions/<handler>.ts`.
 */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export interface RouteSpec {
  method: HttpMethod;
  path: string;
  handler: string;
  summary: string;
  /** which table access the function is granted */
  access: 'none' | 'read' | 'write';
  /** jwt: a Cognito ID token; signature: the sending system's HMAC, checked by the handler; none: public */
  auth: 'jwt' | 'signature' | 'none';
  /** what else the function reaches besides the table */
  uses?: ('eventBus' | 'inboundSecrets')[];
  tag: string;
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  response?: z.ZodMiniType;
}

/** The list filters a record type offers; each maps to one index (see schemas/keys.ts). */
export const LIST_FILTERS = ['ownerId', 'departmentId', 'status', 'accountId', 'leadId', 'region', 'parentId'] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];

export const listQuerySchema = (filters: readonly ListFilter[]) =>
  z.strictObject({
    ...PageQuerySchema.shape,
    ...Object.fromEntries(filters.map((f) => [f, z.optional(f === 'region' || f === 'status' ? ShortTextSchema : IdSchema)])),
  });

export const listResponseSchema = (item: z.ZodMiniType) =>
  z.object({ items: z.array(item), nextCursor: z.optional(z.string()) });

export const QuarantineQuerySchema = z.strictObject({ ...PageQuerySchema.shape });
export const InboundEventBodySchema = z.object({
  detailType: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export const InboundReceiptSchema = z.object({ eventId: z.string(), detailType: z.string(), duplicate: z.boolean() });

export const DeleteQuerySchema = z.strictObject({ version: z.coerce.number().check(z.int(), z.gte(1)) });

export const Account360Schema = z.object({
  account: Accounts.record,
  contacts: z.array(Contacts.record),
  openOpportunities: z.array(Opportunities.record),
  latestActivities: z.array(Activities.record),
  /** true when the account had more activities than one read returns */
  truncated: z.boolean(),
});

/** The record types served by the generic record routes, with the list filters each one offers. */
export const RECORD_RESOURCES: { def: RecordDefinition; domain: string; singular: string; filters: ListFilter[] }[] = [
  { def: Accounts, domain: 'accounts', singular: 'account', filters: ['ownerId', 'departmentId', 'status', 'region'] },
  { def: Contacts, domain: 'contacts', singular: 'contact', filters: ['ownerId', 'departmentId', 'accountId'] },
  { def: Leads, domain: 'leads', singular: 'lead', filters: ['ownerId', 'departmentId', 'status', 'region'] },
  { def: Opportunities, domain: 'opportunities', singular: 'opportunity', filters: ['ownerId', 'departmentId', 'status', 'accountId'] },
  { def: Activities, domain: 'activities', singular: 'activity', filters: ['ownerId', 'departmentId', 'accountId', 'leadId'] },
  { def: Products, domain: 'products', singular: 'product', filters: ['status'] },
  { def: Users, domain: 'users', singular: 'user', filters: ['departmentId', 'status'] },
  { def: Departments, domain: 'departments', singular: 'department', filters: ['parentId'] },
];

const recordRoutes = ({ def, domain, singular, filters }: (typeof RECORD_RESOURCES)[number]): RouteSpec[] => {
  const base = `/${def.plural}`;
  const Singular = singular[0]!.toUpperCase() + singular.slice(1);
  const common = { auth: 'jwt', tag: def.plural } as const;
  return [
    { ...common, method: 'POST', path: base, handler: `${domain}/create-${singular}`, summary: `Create ${/^[aeiou]/.test(singular) ? 'an' : 'a'} ${singular}`, access: 'write', body: def.create, response: def.record },
    { ...common, method: 'GET', path: base, handler: `${domain}/list-${def.plural}`, summary: `List ${def.plural}, by one filter at most`, access: 'read', query: listQuerySchema(filters), response: listResponseSchema(def.record) },
    { ...common, method: 'GET', path: `${base}/{id}`, handler: `${domain}/get-${singular}`, summary: `Read one ${singular}`, access: 'read', response: def.record },
    { ...common, method: 'PATCH', path: `${base}/{id}`, handler: `${domain}/update-${singular}`, summary: `Change one ${singular} (optimistic: send the version you read)`, access: 'write', body: def.update, response: def.record },
    { ...common, method: 'DELETE', path: `${base}/{id}`, handler: `${domain}/delete-${singular}`, summary: `${Singular} soft delete (kept for workflows that reference it)`, access: 'write', query: DeleteQuerySchema, response: def.record },
  ];
};

// ---------------------------------------------------------------------------------------------------
// Nurture sequences (issue 6). The unsubscribe route's link secret and Step Functions access are granted
// by infra/constructs/nurture-engine.ts, which finds its function by handler.
function NURTURE_ROUTES(): RouteSpec[] {
  const common = { auth: 'jwt', tag: 'nurture' } as const;
  return [
    { ...common, method: 'POST', path: '/nurture/sequences', handler: 'nurture/create-sequence', access: 'write', summary: 'Create a nurture sequence (validated; draft version 1; marketing, admin)', body: NurtureSequenceSchema },
    { ...common, method: 'GET', path: '/nurture/sequences', handler: 'nurture/list-sequences', access: 'read', summary: 'List nurture sequences' },
    { ...common, method: 'GET', path: '/nurture/sequences/{id}', handler: 'nurture/get-sequence', access: 'read', summary: 'A nurture sequence with its versions and counters (enrolled, active, exited by reason, sent, opens, clicks, conversions)' },
    { ...common, method: 'POST', path: '/nurture/sequences/{id}/versions', handler: 'nurture/add-sequence-version', access: 'write', summary: 'Edit a sequence: a new immutable version (running enrolments keep theirs)', body: NurtureSequenceSchema },
    { ...common, method: 'POST', path: '/nurture/sequences/{id}/lifecycle', handler: 'nurture/change-sequence-status', access: 'write', summary: 'Activate (a version), pause, resume or archive a sequence', body: SequenceLifecycleBodySchema },
    { ...common, method: 'POST', path: '/nurture/dry-run', handler: 'nurture/dry-run-sequence', access: 'none', summary: 'Validate a sequence and show the path a sample lead takes and when each mail goes', body: DryRunBodySchema },
    { ...common, method: 'GET', path: '/nurture/leads/{id}', handler: 'nurture/get-lead-nurture', access: 'read', summary: "A lead's enrolment timeline and why it was not enrolled" },
    {
      method: 'POST', path: '/unsubscribe/{token}', handler: 'nurture/unsubscribe-lead', access: 'write', auth: 'none', tag: 'nurture', uses: ['eventBus'],
      summary: 'One-click unsubscribe (RFC 8058) from a signed link in nurture mail; no login, a forged token is refused',
    },
  ];
}

export const ROUTES: RouteSpec[] = [
  ...RECORD_RESOURCES.flatMap(recordRoutes),
  {
    method: 'GET', path: '/accounts/{id}/360', handler: 'accounts/get-account-360', access: 'read', auth: 'jwt', tag: 'accounts',
    summary: 'The account with its contacts, open opportunities and latest activities, in one read',
    response: Account360Schema,
  },
  {
    method: 'POST', path: '/events', handler: 'events/ingest-event', access: 'write', auth: 'signature', tag: 'events',
    uses: ['eventBus', 'inboundSecrets'],
    summary: 'An event from another system, signed with its secret (headers x-tradeflow-source, x-tradeflow-timestamp, x-tradeflow-signature, idempotency-key)',
    body: InboundEventBodySchema,
    response: InboundReceiptSchema,
  },
  {
    method: 'GET', path: '/events/quarantine', handler: 'events/list-quarantined-events', access: 'read', auth: 'jwt', tag: 'events',
    summary: 'Inbound events that were refused, kept for inspection (ops, admin)',
    query: QuarantineQuerySchema,
  },
  ...NURTURE_ROUTES(),
  {
    method: 'GET', path: '/openapi.json', handler: 'docs/get-openapi', access: 'none', auth: 'none', tag: 'docs',
    summary: 'This API described as OpenAPI 3.1',
  },
];

/** API Gateway's route key, e.g. "GET /accounts/{id}". */
export const routeKey = (route: Pick<RouteSpec, 'method' | 'path'>) => `${route.method} ${route.path}`;
