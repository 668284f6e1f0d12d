import type * as z from '../../../schemas/zod';
import type { ApprovalPolicySchema } from '../../../schemas/approvals/policy';
import type {
  ApprovalRequestRecordSchema, ApprovalTaskSchema, AuditEntrySchema, DecisionBodySchema, RecallBodySchema,
} from '../../../schemas/approvals/request';
import type { account360Schema } from '../../../schemas/api/routes';
import type { MeasureQuery, MeasureScopes, MeasureTileResponse } from '../../../schemas/measures/tiles';
import type {
  claimRecordSchema, Claims, CloseOutSchema, fundRecordSchema, fundStatementSchema, promotionRecordSchema, Promotions,
} from '../../../schemas/promotions/records';
import type { HandoverBodySchema, handoverPreviewSchema, handoverRecordSchema } from '../../../schemas/handover/handover';
import type { Accounts, Activities, AwayBodySchema, Contacts, Departments, Leads, Opportunities, Products, Users } from '../../../schemas/records';
import type { TicketActionBodySchema, Tickets } from '../../../schemas/tickets/records';

/*
 * The part of the route catalogue (schemas/api/routes.ts) the console calls, each typed with the
 * catalogue's own schemas: "<METHOD> <path>" as the catalogue writes it, with the response, body and
 * query types. test/unit/console-endpoints.test.ts checks that every key here is a catalogue route.
 */
type Out<T extends z.ZodMiniType> = z.output<T>;
type In<T extends z.ZodMiniType> = z.input<T>;
/** owned records: the owner and department are always there (the generic definition types them loosely) */
type Owned<T> = Omit<T, 'ownerId' | 'departmentId'> & { ownerId: string; departmentId: string };
export interface Page<T> { items: T[]; nextCursor?: string }
export interface PageQuery { limit?: number; cursor?: string }

export type Account = Owned<Out<typeof Accounts.record>>;
export type Contact = Owned<Out<typeof Contacts.record>>;
export type Lead = Owned<Out<typeof Leads.record>>;
export type Opportunity = Owned<Out<typeof Opportunities.record>>;
export type Activity = Owned<Out<typeof Activities.record>>;
export type Product = Out<typeof Products.record>;
export type User = Out<typeof Users.record>;
export type Department = Out<typeof Departments.record>;
export type Fund = Owned<Out<ReturnType<typeof fundRecordSchema>>>;
export type FundStatement = Out<ReturnType<typeof fundStatementSchema>>;
export type Promotion = Owned<Out<ReturnType<typeof promotionRecordSchema>>>;
export type Claim = Owned<Out<ReturnType<typeof claimRecordSchema>>>;
export type ApprovalRequest = Out<typeof ApprovalRequestRecordSchema>;
export type ApprovalTask = Out<typeof ApprovalTaskSchema>;
export type AuditEntry = Out<typeof AuditEntrySchema>;
export type ApprovalPolicy = Out<typeof ApprovalPolicySchema>;
export type Ticket = Owned<Out<typeof Tickets.record>>;
export type HandoverBody = In<typeof HandoverBodySchema>;
export type HandoverPreview = Out<ReturnType<typeof handoverPreviewSchema>>;
export type Handover = Out<ReturnType<typeof handoverRecordSchema>>;
export type Account360 = Omit<Out<ReturnType<typeof account360Schema>>, 'account' | 'contacts' | 'openOpportunities' | 'latestActivities'>
  & { account: Account; contacts: Contact[]; openOpportunities: Opportunity[]; latestActivities: Activity[] };

interface Endpoint<Res, Body = undefined, Query = undefined> { response: Res; body: Body; query: Query }
const endpoint = <Res, Body = undefined, Query = undefined>() => ({}) as Endpoint<Res, Body, Query>;
type Filters<K extends string> = PageQuery & Partial<Record<K, string>>;

export const ENDPOINTS = {
  'GET /accounts': endpoint<Page<Account>, undefined, Filters<'ownerId' | 'departmentId' | 'status' | 'region' | 'q'>>(),
  'POST /accounts': endpoint<Account, In<typeof Accounts.create>>(),
  'GET /accounts/{id}': endpoint<Account>(),
  'PATCH /accounts/{id}': endpoint<Account, In<typeof Accounts.update>>(),
  'GET /accounts/{id}/360': endpoint<Account360>(),
  'POST /activities': endpoint<Activity, In<typeof Activities.create>>(),
  'GET /leads': endpoint<Page<Lead>, undefined, Filters<'ownerId' | 'departmentId' | 'status' | 'region'>>(),
  'GET /opportunities': endpoint<Page<Opportunity>, undefined, Filters<'ownerId' | 'departmentId' | 'status' | 'accountId'>>(),
  'PATCH /opportunities/{id}': endpoint<Opportunity, In<typeof Opportunities.update>>(),
  'GET /products': endpoint<Page<Product>, undefined, Filters<'status'>>(),
  'GET /users': endpoint<Page<User>, undefined, Filters<'departmentId' | 'status'>>(),
  'GET /departments': endpoint<Page<Department>, undefined, Filters<'parentId'>>(),
  'PUT /users/{id}/away': endpoint<User, In<typeof AwayBodySchema>>(),
  'GET /funds': endpoint<Page<Fund>, undefined, Filters<'region' | 'departmentId'>>(),
  'GET /funds/{id}/statement': endpoint<FundStatement>(),
  'GET /promotions': endpoint<Page<Promotion>, undefined, Filters<'status' | 'ownerId' | 'departmentId' | 'region'>>(),
  'POST /promotions': endpoint<Promotion, In<typeof Promotions.create>>(),
  'GET /promotions/{id}': endpoint<Promotion>(),
  'PATCH /promotions/{id}': endpoint<Promotion, In<typeof Promotions.update>>(),
  'POST /promotions/{id}/{action}': endpoint<Promotion, In<typeof CloseOutSchema> | Record<string, never>>(),
  'GET /claims': endpoint<Page<Claim>, undefined, Filters<'promotionId' | 'status' | 'ownerId'>>(),
  'POST /claims': endpoint<Claim, In<typeof Claims.create>>(),
  'GET /claims/{id}': endpoint<Claim>(),
  'PATCH /claims/{id}': endpoint<Claim, In<typeof Claims.update>>(),
  'POST /claims/{id}/submit': endpoint<Claim, Record<string, never>>(),
  'GET /approvals': endpoint<Page<ApprovalRequest>, undefined, PageQuery>(),
  'GET /approval-inbox': endpoint<Page<ApprovalTask>, undefined, PageQuery>(),
  'GET /approvals/{id}': endpoint<{ request: ApprovalRequest; tasks: ApprovalTask[] }>(),
  'GET /approvals/{id}/audit': endpoint<{ items: AuditEntry[] }>(),
  'POST /approvals/{id}/recall': endpoint<unknown, In<typeof RecallBodySchema>>(),
  'POST /approvals/{id}/tasks/{taskId}/decision': endpoint<ApprovalTask, In<typeof DecisionBodySchema>>(),
  'GET /tickets': endpoint<Page<Ticket>, undefined, Filters<'departmentId' | 'ownerId' | 'status' | 'accountId'>>(),
  'POST /tickets': endpoint<Ticket, In<typeof Tickets.create>>(),
  'GET /tickets/{id}': endpoint<Ticket>(),
  'POST /tickets/{id}/{action}': endpoint<Ticket, In<typeof TicketActionBodySchema>>(),
  'POST /handovers/preview': endpoint<HandoverPreview, HandoverBody>(),
  'POST /handovers': endpoint<Handover, HandoverBody>(),
  'GET /handovers': endpoint<{ items: Handover[] }>(),
  'GET /handovers/{id}': endpoint<Handover>(),
  'GET /measures/scopes': endpoint<MeasureScopes>(),
  'GET /measures/tiles/{tile}': endpoint<MeasureTileResponse, undefined, MeasureQuery>(),
};

export type EndpointKey = keyof typeof ENDPOINTS;
export type EndpointOf<K extends EndpointKey> = (typeof ENDPOINTS)[K];
