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
// nurture sequences (issue 6)
import { SequenceDryRunBodySchema, NurtureSequenceSchema, SequenceLifecycleBodySchema } from '../nurture/sequence';

/**
 * The HTTP API's route catalogue: the one list that the CDK app turns into routes and functions, that the
 * OpenAPI document describes and that the tests walk. `handler` names `functions/<handler>.ts`.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
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
  uses?: ('eventBus' | 'inboundSecrets' | 'approvalSignals' | 'promotionSignals' | 'mail' | 'linkSecret')[];
  tag: string;
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  response?: z.ZodMiniType;
}

/** The list filters a record type offers; each maps to one index (see schemas/keys.ts). */
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
// Trade promotions, funds, campaigns, expense claims (issue 5). Kept to the routes the processes need:
// the stack is near CloudFormation's 500-resource limit (each route is 3 resources); the fund
// statement carries the fund, the promotion carries its money.

/** The filters each list of issue 5 offers (one at a time, as for every record list). */
export const PROMOTION_LIST_FILTERS = {
  funds: ['region', 'departmentId'],
  campaigns: ['ownerId'],
  promotions: ['status', 'ownerId', 'departmentId', 'region'],
  claims: ['promotionId', 'status', 'ownerId'],
} as const satisfies Record<string, readonly ListFilter[]>;
export const PromotionActionSchema = z.strictObject({ action: z.enum(['submit', 'cancel', 'close-out']) });
function PROMOTION_ROUTES(): RouteSpec[] {
  const jwt = { auth: 'jwt' } as const;
  const read = (path: string, handler: string, tag: string, summary: string, response?: z.ZodMiniType): RouteSpec =>
    ({ ...jwt, method: 'GET', path, handler, tag, summary, access: 'read', ...(response ? { response } : {}) });
  const write = (method: HttpMethod, path: string, handler: string, tag: string, summary: string, extra: Partial<RouteSpec> = {}): RouteSpec =>
    ({ ...jwt, method, path, handler, tag, summary, access: 'write', ...extra });
  const list = (path: string, handler: string, tag: string, summary: string, filters: readonly ListFilter[], item: z.ZodMiniType): RouteSpec =>
    ({ ...jwt, method: 'GET', path, handler, tag, summary, access: 'read', query: listQuerySchema(filters), response: listResponseSchema(item) });
  return [
    list('/funds', 'funds/list-funds', 'funds', 'Funds the caller may see, with their balances', PROMOTION_LIST_FILTERS.funds, FundRecordSchema),
    write('POST', '/funds', 'funds/create-fund', 'funds', 'Open a fund with its allocation (finance)', { body: Funds.create, response: FundRecordSchema }),
    read('/funds/{id}/statement', 'funds/get-fund-statement', 'funds', 'The fund statement: every movement and the balance after it, balancing to the minor unit', FundStatementSchema),
    list('/campaigns', 'campaigns/list-campaigns', 'campaigns', 'Campaigns, with their status (planned, settled)', PROMOTION_LIST_FILTERS.campaigns, CampaignRecordSchema),
    write('POST', '/campaigns', 'campaigns/create-campaign', 'campaigns', 'Plan a campaign (its settlement is scheduled for its end plus the settlement delay)', { body: Campaigns.create, response: CampaignRecordSchema, uses: ['eventBus'] }),
    read('/campaigns/{id}/report', 'campaigns/get-campaign-report', 'campaigns', 'The effect report of a settled campaign, or of a promotion settled without one (by its id); late events flagged', EffectReportSchema),
    list('/promotions', 'promotions/list-promotions', 'promotions', 'Promotions the caller may see, by status, owner, department or region', PROMOTION_LIST_FILTERS.promotions, PromotionRecordSchema),
    write('POST', '/promotions', 'promotions/create-promotion', 'promotions', 'Draft a promotion', { body: Promotions.create, response: PromotionRecordSchema }),
    read('/promotions/{id}', 'promotions/get-promotion', 'promotions', 'A promotion with its status and money (approved, reserved, claimed, released)', PromotionRecordSchema),
    write('PATCH', '/promotions/{id}', 'promotions/update-promotion', 'promotions', 'Revise a draft or rejected promotion (send the version you read)', { body: Promotions.update, response: PromotionRecordSchema }),
    write('POST', '/promotions/{id}/{action}', 'promotions/act-on-promotion', 'promotions',
      'submit (validates dates, lines, fund and currency; starts the lifecycle), cancel (before the start; the reservation goes back), ' +
      'close-out (body: actual results and proof of execution)', { body: CloseOutSchema, response: PromotionRecordSchema, uses: ['eventBus', 'promotionSignals'] }),
    write('POST', '/claims', 'claims/create-claim', 'claims', 'Draft an expense claim on a closed-out promotion', { body: Claims.create, response: ClaimRecordSchema }),
    list('/claims', 'claims/list-claims', 'claims', "A promotion's expense claims (promotionId), or claims by status or owner", PROMOTION_LIST_FILTERS.claims, ClaimRecordSchema),
    read('/claims/{id}', 'claims/get-claim', 'claims', 'One expense claim', ClaimRecordSchema),
    write('PATCH', '/claims/{id}', 'claims/update-claim', 'claims', 'Revise a draft or rejected claim (send the version you read), then submit it again', { body: Claims.update, response: ClaimRecordSchema }),
    write('POST', '/claims/{id}/submit', 'claims/submit-claim', 'claims', 'Submit a claim for approval (within the claimable budget; each evidence reference once)', { response: ClaimRecordSchema, uses: ['eventBus'] }),
  ];
}

/** Approval policies, requests, decisions and the pages mail links open (issue 4). */
function APPROVAL_ROUTES(): RouteSpec[] {
  const policies = { auth: 'jwt', tag: 'approval-policies' } as const;
  const approvals = { auth: 'jwt', tag: 'approvals' } as const;
  const signals = ['approvalSignals'] as RouteSpec['uses'];
  return [
    { ...policies, method: 'POST', path: '/approval-policies', handler: 'approvals/create-approval-policy', access: 'write', body: ApprovalPolicySchema, summary: 'A new approval policy, as version 1 (inactive until activated; ops, admin)' },
    { ...policies, method: 'GET', path: '/approval-policies', handler: 'approvals/list-approval-policies', access: 'read', summary: 'Every approval policy with its latest and active version' },
    { ...policies, method: 'POST', path: '/approval-policies/validate', handler: 'approvals/validate-approval-policy', access: 'read', body: ValidatePolicyBodySchema, summary: 'Check a draft policy without saving it, and dry-run it against a sample subject' },
    { ...policies, method: 'GET', path: '/approval-policies/{id}', handler: 'approvals/get-approval-policy', access: 'read', summary: 'A policy and all its versions' },
    { ...policies, method: 'PUT', path: '/approval-policies/{id}', handler: 'approvals/update-approval-policy', access: 'write', body: ApprovalPolicySchema, summary: 'Edit a policy: the document becomes its next version (running requests keep theirs)' },
    { ...policies, method: 'POST', path: '/approval-policies/{id}/activate', handler: 'approvals/activate-approval-policy', access: 'write', body: ActivatePolicyBodySchema, summary: 'New requests run under this version from now on' },
    { ...policies, method: 'POST', path: '/approval-policies/{id}/dry-run', handler: 'approvals/dry-run-approval-policy', access: 'read', body: DryRunBodySchema, summary: 'Which steps and approvers a sample request would get' },
    { ...approvals, method: 'POST', path: '/approvals', handler: 'approvals/request-approval', access: 'read', uses: ['eventBus'], body: StartApprovalBodySchema, summary: 'Ask for approval of a subject (202: the engine runs it)' },
    { ...approvals, method: 'GET', path: '/approvals', handler: 'approvals/list-my-approvals', access: 'read', query: InboxQuerySchema, summary: 'The requests the caller submitted, newest first' },
    { ...approvals, method: 'GET', path: '/approval-inbox', handler: 'approvals/list-approval-inbox', access: 'read', query: InboxQuerySchema, summary: "The caller's open approval tasks, soonest due first" },
    { ...approvals, method: 'GET', path: '/approvals/{id}', handler: 'approvals/get-approval', access: 'read', summary: 'A request with its steps and tasks (submitter, approvers, ops, admin)' },
    { ...approvals, method: 'GET', path: '/approvals/{id}/audit', handler: 'approvals/list-approval-audit', access: 'read', summary: "A request's immutable audit trail" },
    { ...approvals, method: 'POST', path: '/approvals/{id}/recall', handler: 'approvals/recall-approval', access: 'write', uses: signals, body: RecallBodySchema, summary: 'The submitter withdraws a pending request' },
    { ...approvals, method: 'POST', path: '/approvals/{id}/tasks/{taskId}/decision', handler: 'approvals/decide-approval-task', access: 'write', uses: signals, body: DecisionBodySchema, summary: 'Approve, reject or request changes (a reason is required for the last two)' },
    { ...approvals, method: 'POST', path: '/approvals/{id}/tasks/{taskId}/reassign', handler: 'approvals/reassign-approval-task', access: 'write', uses: ['approvalSignals', 'mail', 'linkSecret'], body: ReassignBodySchema, summary: 'Hand an open task to someone else (ops, admin)' },
    { auth: 'jwt', tag: 'users', method: 'PUT', path: '/users/{id}/away', handler: 'users/set-user-away', access: 'write', body: AwayBodySchema, summary: 'Away until a date with a delegate for new approval tasks, or back (awayUntil null)' },
    { auth: 'none', tag: 'approvals', method: 'GET', path: '/approval-links/{token}', handler: 'approvals/show-decision-page', access: 'read', uses: ['linkSecret'], summary: "The confirmation page of a mail's decision link (decides nothing)" },
    { auth: 'none', tag: 'approvals', method: 'POST', path: '/approval-links/{token}', handler: 'approvals/submit-decision-page', access: 'write', uses: ['approvalSignals', 'linkSecret'], summary: "The confirmation page's decision: once per link" },
  ];
}

// ---------------------------------------------------------------------------------------------------
// Nurture sequences (issue 6). The unsubscribe route's Step Functions access (stopping a lead's
// enrolments) is granted by infra/constructs/nurture-engine.ts, which finds its function by handler.
function NURTURE_ROUTES(): RouteSpec[] {
  const common = { auth: 'jwt', tag: 'nurture' } as const;
  return [
    { ...common, method: 'POST', path: '/nurture/sequences', handler: 'nurture/create-sequence', access: 'write', summary: 'Create a nurture sequence (validated; draft version 1; marketing, admin)', body: NurtureSequenceSchema },
    { ...common, method: 'GET', path: '/nurture/sequences', handler: 'nurture/list-sequences', access: 'read', summary: 'List nurture sequences' },
    { ...common, method: 'GET', path: '/nurture/sequences/{id}', handler: 'nurture/get-sequence', access: 'read', summary: 'A nurture sequence with its versions and counters (enrolled, active, exited by reason, sent, opens, clicks, conversions)' },
    { ...common, method: 'POST', path: '/nurture/sequences/{id}/versions', handler: 'nurture/add-sequence-version', access: 'write', summary: 'Edit a sequence: a new immutable version (running enrolments keep theirs)', body: NurtureSequenceSchema },
    { ...common, method: 'POST', path: '/nurture/sequences/{id}/lifecycle', handler: 'nurture/change-sequence-status', access: 'write', summary: 'Activate (a version), pause, resume or archive a sequence', body: SequenceLifecycleBodySchema },
    { ...common, method: 'POST', path: '/nurture/dry-run', handler: 'nurture/dry-run-sequence', access: 'none', summary: 'Validate a sequence and show the path a sample lead takes and when each mail goes', body: SequenceDryRunBodySchema },
    { ...common, method: 'GET', path: '/nurture/leads/{id}', handler: 'nurture/get-lead-nurture', access: 'read', summary: "A lead's enrolment timeline and why it was not enrolled" },
    {
      method: 'GET', path: '/unsubscribe/{token}', handler: 'nurture/show-unsubscribe-page', access: 'read', auth: 'none', tag: 'nurture', uses: ['linkSecret'],
      summary: "The page a nurture mail's unsubscribe link opens: asks to confirm, changes nothing",
    },
    {
      method: 'POST', path: '/unsubscribe/{token}', handler: 'nurture/unsubscribe-lead', access: 'write', auth: 'none', tag: 'nurture', uses: ['eventBus', 'linkSecret'],
      summary: 'Unsubscribe: RFC 8058 one-click from a mail client, or the page\'s button (form field confirm=yes, answered with a page); no login, a forged token is refused',
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
  ...PROMOTION_ROUTES(),
  ...APPROVAL_ROUTES(),
  ...NURTURE_ROUTES(),
  {
    method: 'GET', path: '/openapi.json', handler: 'docs/get-openapi', access: 'none', auth: 'none', tag: 'docs',
    summary: 'This API described as OpenAPI 3.1',
  },
];

/** API Gateway's route key, e.g. "GET /accounts/{id}". */
export const routeKey = (route: Pick<RouteSpec, 'method' | 'path'>) => `${route.method} ${route.path}`;
