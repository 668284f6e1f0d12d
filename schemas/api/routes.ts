import * as z from '../zod';
import { IdSchema, PageQuerySchema, ShortTextSchema } from '../common';
import { ApprovalPolicySchema } from '../approvals/policy';
import {
  ActivatePolicyBodySchema, AwayBodySchema, DecisionBodySchema, DryRunBodySchema, InboxQuerySchema, ReassignBodySchema, RecallBodySchema,
  StartApprovalBodySchema, ValidatePolicyBodySchema,
} from '../approvals/request';
import {
  Accounts, Activities, Contacts, Departments, Leads, Opportunities, Products, Users, type RecordDefinition,
} from '../records';
import {
  CampaignRecordSchema, Campaigns, ClaimRecordSchema, Claims, CloseOutSchema, EffectReportSchema, FundRecordSchema, Funds, FundStatementSchema,
  PromotionRecordSchema, Promotions,
} from '../promotions/records';
import { SequenceDryRunBodySchema, NurtureSequenceSchema, SequenceLifecycleBodySchema } from '../nurture/sequence';

/**
 * The HTTP API's route catalogue: the one list of routes, which the deployment serves, the OpenAPI
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
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  response?: z.ZodMiniType;
}

/** The list filters a record type offers; each maps to one index (see schemas/keys/table.ts). */
export const LIST_FILTERS = ['ownerId', 'departmentId', 'status', 'accountId', 'leadId', 'region', 'parentId', 'promotionId'] as const;
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
export const RECORD_RESOURCES: { def: RecordDefinition; singular: string; filters: ListFilter[] }[] = [
  { def: Accounts, singular: 'account', filters: ['ownerId', 'departmentId', 'status', 'region'] },
  { def: Contacts, singular: 'contact', filters: ['ownerId', 'departmentId', 'accountId'] },
  { def: Leads, singular: 'lead', filters: ['ownerId', 'departmentId', 'status', 'region'] },
  { def: Opportunities, singular: 'opportunity', filters: ['ownerId', 'departmentId', 'status', 'accountId'] },
  { def: Activities, singular: 'activity', filters: ['ownerId', 'departmentId', 'accountId', 'leadId'] },
  { def: Products, singular: 'product', filters: ['status'] },
  { def: Users, singular: 'user', filters: ['departmentId', 'status'] },
  { def: Departments, singular: 'department', filters: ['parentId'] },
];

const recordRoutes = ({ def, singular, filters }: (typeof RECORD_RESOURCES)[number]): RouteSpec[] => {
  const base = `/${def.plural}`;
  const Singular = singular[0]!.toUpperCase() + singular.slice(1);
  const common = { auth: 'jwt', tag: def.plural } as const;
  return [
    { ...common, method: 'POST', path: base, operation: `records/create-${singular}`, summary: `Create ${/^[aeiou]/.test(singular) ? 'an' : 'a'} ${singular}`, body: def.create, response: def.record },
    { ...common, method: 'GET', path: base, operation: `records/list-${def.plural}`, summary: `List ${def.plural}, by one filter at most`, query: listQuerySchema(filters), response: listResponseSchema(def.record) },
    { ...common, method: 'GET', path: `${base}/{id}`, operation: `records/get-${singular}`, summary: `Read one ${singular}`, response: def.record },
    { ...common, method: 'PATCH', path: `${base}/{id}`, operation: `records/update-${singular}`, summary: `Change one ${singular} (optimistic: send the version you read)`, body: def.update, response: def.record },
    { ...common, method: 'DELETE', path: `${base}/{id}`, operation: `records/delete-${singular}`, summary: `${Singular} soft delete (kept for workflows that reference it)`, query: DeleteQuerySchema, response: def.record },
  ];
};

// ---------------------------------------------------------------------------------------------------
// Trade promotions, funds, campaigns, expense claims: the fund statement carries the fund, the
// promotion carries its money.

/** The filters each promotion list offers (one at a time, as for every record list). */
export const PROMOTION_LIST_FILTERS = {
  funds: ['region', 'departmentId'],
  campaigns: ['ownerId'],
  promotions: ['status', 'ownerId', 'departmentId', 'region'],
  claims: ['promotionId', 'status', 'ownerId'],
} as const satisfies Record<string, readonly ListFilter[]>;
export const PromotionActionSchema = z.strictObject({ action: z.enum(['submit', 'cancel', 'close-out']) });
function PROMOTION_ROUTES(): RouteSpec[] {
  const jwt = { auth: 'jwt' } as const;
  const read = (path: string, operation: string, tag: string, summary: string, response?: z.ZodMiniType): RouteSpec =>
    ({ ...jwt, method: 'GET', path, operation, tag, summary, ...(response ? { response } : {}) });
  const write = (method: HttpMethod, path: string, operation: string, tag: string, summary: string, extra: Partial<RouteSpec> = {}): RouteSpec =>
    ({ ...jwt, method, path, operation, tag, summary, ...extra });
  const list = (path: string, operation: string, tag: string, summary: string, filters: readonly ListFilter[], item: z.ZodMiniType): RouteSpec =>
    ({ ...jwt, method: 'GET', path, operation, tag, summary, query: listQuerySchema(filters), response: listResponseSchema(item) });
  return [
    list('/funds', 'promotions/list-funds', 'funds', 'Funds the caller may see, with their balances', PROMOTION_LIST_FILTERS.funds, FundRecordSchema),
    write('POST', '/funds', 'promotions/create-fund', 'funds', 'Open a fund with its allocation (finance)', { body: Funds.create, response: FundRecordSchema }),
    read('/funds/{id}/statement', 'promotions/get-fund-statement', 'funds', 'The fund statement: every movement and the balance after it, balancing to the minor unit', FundStatementSchema),
    list('/campaigns', 'promotions/list-campaigns', 'campaigns', 'Campaigns, with their status (planned, settled)', PROMOTION_LIST_FILTERS.campaigns, CampaignRecordSchema),
    write('POST', '/campaigns', 'promotions/create-campaign', 'campaigns', 'Plan a campaign (its settlement is scheduled for its end plus the settlement delay)', { body: Campaigns.create, response: CampaignRecordSchema }),
    read('/campaigns/{id}/report', 'promotions/get-campaign-report', 'campaigns', 'The effect report of a settled campaign, or of a promotion settled without one (by its id); late events flagged', EffectReportSchema),
    list('/promotions', 'promotions/list-promotions', 'promotions', 'Promotions the caller may see, by status, owner, department or region', PROMOTION_LIST_FILTERS.promotions, PromotionRecordSchema),
    write('POST', '/promotions', 'promotions/create-promotion', 'promotions', 'Draft a promotion', { body: Promotions.create, response: PromotionRecordSchema }),
    read('/promotions/{id}', 'promotions/get-promotion', 'promotions', 'A promotion with its status and money (approved, reserved, claimed, released)', PromotionRecordSchema),
    write('PATCH', '/promotions/{id}', 'promotions/update-promotion', 'promotions', 'Revise a draft or rejected promotion (send the version you read)', { body: Promotions.update, response: PromotionRecordSchema }),
    write('POST', '/promotions/{id}/{action}', 'promotions/act-on-promotion', 'promotions',
      'submit (validates dates, lines, fund and currency; starts the lifecycle), cancel (before the start; the reservation goes back), ' +
      'close-out (body: actual results and proof of execution)', { body: CloseOutSchema, response: PromotionRecordSchema }),
    write('POST', '/claims', 'promotions/create-claim', 'claims', 'Draft an expense claim on a closed-out promotion', { body: Claims.create, response: ClaimRecordSchema }),
    list('/claims', 'promotions/list-claims', 'claims', "A promotion's expense claims (promotionId), or claims by status or owner", PROMOTION_LIST_FILTERS.claims, ClaimRecordSchema),
    read('/claims/{id}', 'promotions/get-claim', 'claims', 'One expense claim', ClaimRecordSchema),
    write('PATCH', '/claims/{id}', 'promotions/update-claim', 'claims', 'Revise a draft or rejected claim (send the version you read), then submit it again', { body: Claims.update, response: ClaimRecordSchema }),
    write('POST', '/claims/{id}/submit', 'promotions/submit-claim', 'claims', 'Submit a claim for approval (within the claimable budget; each evidence reference once)', { response: ClaimRecordSchema }),
  ];
}

/** Approval policies, requests, decisions and the pages mail links open. */
function APPROVAL_ROUTES(): RouteSpec[] {
  const policies = { auth: 'jwt', tag: 'approval-policies' } as const;
  const approvals = { auth: 'jwt', tag: 'approvals' } as const;
  return [
    { ...policies, method: 'POST', path: '/approval-policies', operation: 'approvals/create-approval-policy', body: ApprovalPolicySchema, summary: 'A new approval policy, as version 1 (inactive until activated; ops, admin)' },
    { ...policies, method: 'GET', path: '/approval-policies', operation: 'approvals/list-approval-policies', summary: 'Every approval policy with its latest and active version' },
    { ...policies, method: 'POST', path: '/approval-policies/validate', operation: 'approvals/validate-approval-policy', body: ValidatePolicyBodySchema, summary: 'Check a draft policy without saving it, and dry-run it against a sample subject' },
    { ...policies, method: 'GET', path: '/approval-policies/{id}', operation: 'approvals/get-approval-policy', summary: 'A policy and all its versions' },
    { ...policies, method: 'PUT', path: '/approval-policies/{id}', operation: 'approvals/update-approval-policy', body: ApprovalPolicySchema, summary: 'Edit a policy: the document becomes its next version (running requests keep theirs)' },
    { ...policies, method: 'POST', path: '/approval-policies/{id}/activate', operation: 'approvals/activate-approval-policy', body: ActivatePolicyBodySchema, summary: 'New requests run under this version from now on' },
    { ...policies, method: 'POST', path: '/approval-policies/{id}/dry-run', operation: 'approvals/dry-run-approval-policy', body: DryRunBodySchema, summary: 'Which steps and approvers a sample request would get' },
    { ...approvals, method: 'POST', path: '/approvals', operation: 'approvals/request-approval', body: StartApprovalBodySchema, summary: 'Ask for approval of a subject (202: the engine runs it)' },
    { ...approvals, method: 'GET', path: '/approvals', operation: 'approvals/list-my-approvals', query: InboxQuerySchema, summary: 'The requests the caller submitted, newest first' },
    { ...approvals, method: 'GET', path: '/approval-inbox', operation: 'approvals/list-approval-inbox', query: InboxQuerySchema, summary: "The caller's open approval tasks, soonest due first" },
    { ...approvals, method: 'GET', path: '/approvals/{id}', operation: 'approvals/get-approval', summary: 'A request with its steps and tasks (submitter, approvers, ops, admin)' },
    { ...approvals, method: 'GET', path: '/approvals/{id}/audit', operation: 'approvals/list-approval-audit', summary: "A request's immutable audit trail" },
    { ...approvals, method: 'POST', path: '/approvals/{id}/recall', operation: 'approvals/recall-approval', body: RecallBodySchema, summary: 'The submitter withdraws a pending request' },
    { ...approvals, method: 'POST', path: '/approvals/{id}/tasks/{taskId}/decision', operation: 'approvals/decide-approval-task', body: DecisionBodySchema, summary: 'Approve, reject or request changes (a reason is required for the last two)' },
    { ...approvals, method: 'POST', path: '/approvals/{id}/tasks/{taskId}/reassign', operation: 'approvals/reassign-approval-task', body: ReassignBodySchema, summary: 'Hand an open task to someone else (ops, admin)' },
    { auth: 'jwt', tag: 'users', method: 'PUT', path: '/users/{id}/away', operation: 'records/set-user-away', body: AwayBodySchema, summary: 'Away until a date with a delegate for new approval tasks, or back (awayUntil null)' },
    { auth: 'none', tag: 'approvals', method: 'GET', path: '/approval-links/{token}', operation: 'approvals/show-decision-page', summary: "The confirmation page of a mail's decision link (decides nothing)" },
    { auth: 'none', tag: 'approvals', method: 'POST', path: '/approval-links/{token}', operation: 'approvals/submit-decision-page', summary: "The confirmation page's decision: once per link" },
  ];
}

// ---------------------------------------------------------------------------------------------------
// Nurture sequences.
function NURTURE_ROUTES(): RouteSpec[] {
  const common = { auth: 'jwt', tag: 'nurture' } as const;
  return [
    { ...common, method: 'POST', path: '/nurture/sequences', operation: 'nurture/create-sequence', summary: 'Create a nurture sequence (validated; draft version 1; marketing, admin)', body: NurtureSequenceSchema },
    { ...common, method: 'GET', path: '/nurture/sequences', operation: 'nurture/list-sequences', summary: 'List nurture sequences' },
    { ...common, method: 'GET', path: '/nurture/sequences/{id}', operation: 'nurture/get-sequence', summary: 'A nurture sequence with its versions and counters (enrolled, active, exited by reason, sent, opens, clicks, conversions)' },
    { ...common, method: 'POST', path: '/nurture/sequences/{id}/versions', operation: 'nurture/add-sequence-version', summary: 'Edit a sequence: a new immutable version (running enrolments keep theirs)', body: NurtureSequenceSchema },
    { ...common, method: 'POST', path: '/nurture/sequences/{id}/lifecycle', operation: 'nurture/change-sequence-status', summary: 'Activate (a version), pause, resume or archive a sequence', body: SequenceLifecycleBodySchema },
    { ...common, method: 'POST', path: '/nurture/dry-run', operation: 'nurture/dry-run-sequence', summary: 'Validate a sequence and show the path a sample lead takes and when each mail goes', body: SequenceDryRunBodySchema },
    { ...common, method: 'GET', path: '/nurture/leads/{id}', operation: 'nurture/get-lead-nurture', summary: "A lead's enrolment timeline and why it was not enrolled" },
    {
      method: 'GET', path: '/unsubscribe/{token}', operation: 'nurture/show-unsubscribe-page', auth: 'none', tag: 'nurture',
      summary: "The page a nurture mail's unsubscribe link opens: asks to confirm, changes nothing",
    },
    {
      method: 'POST', path: '/unsubscribe/{token}', operation: 'nurture/unsubscribe-lead', auth: 'none', tag: 'nurture',
      summary: 'Unsubscribe: RFC 8058 one-click from a mail client, or the page\'s button (form field confirm=yes, answered with a page); no login, a forged token is refused',
    },
  ];
}

export const ROUTES: RouteSpec[] = [
  ...RECORD_RESOURCES.flatMap(recordRoutes),
  {
    method: 'GET', path: '/accounts/{id}/360', operation: 'records/get-account-360', auth: 'jwt', tag: 'accounts',
    summary: 'The account with its contacts, open opportunities and latest activities, in one read',
    response: Account360Schema,
  },
  {
    method: 'POST', path: '/events', operation: 'events/ingest-event', auth: 'signature', tag: 'events',
    summary: 'An event from another system, signed with its secret (headers x-tradeflow-source, x-tradeflow-timestamp, x-tradeflow-signature, idempotency-key)',
    body: InboundEventBodySchema,
    response: InboundReceiptSchema,
  },
  {
    method: 'GET', path: '/events/quarantine', operation: 'events/list-quarantined-events', auth: 'jwt', tag: 'events',
    summary: 'Inbound events that were refused, kept for inspection (ops, admin)',
    query: QuarantineQuerySchema,
  },
  ...PROMOTION_ROUTES(),
  ...APPROVAL_ROUTES(),
  ...NURTURE_ROUTES(),
  {
    method: 'GET', path: '/openapi.json', operation: 'docs/get-openapi', auth: 'none', tag: 'docs',
    summary: 'This API described as OpenAPI 3.1',
  },
];

/** API Gateway's route key, e.g. "GET /accounts/{id}". */
export const routeKey = (route: Pick<RouteSpec, 'method' | 'path'>) => `${route.method} ${route.path}`;
