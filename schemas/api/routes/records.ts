import * as z from '../../zod';
import {
  AccountStatusSchema, Accounts, Activities, AwayBodySchema, Contacts, Departments, Leads, LeadStatusSchema, Opportunities, OpportunityStageSchema, Products, Users,
  type RecordDefinition,
} from '../../records';
import { SEARCHABLE_FIELDS } from '../../keys/records';
import { DeleteQuerySchema, listQuerySchema, listResponseSchema, type ListFilter, type RouteSpec } from '../route-spec';

export const account360Schema = () => z.object({
  account: Accounts.record,
  contacts: z.array(Contacts.record),
  openOpportunities: z.array(Opportunities.record),
  latestActivities: z.array(Activities.record),
  /** true when the account had more activities than one read returns */
  truncated: z.boolean(),
});

/**
 * The record types served by the generic record routes, with the list filters each one offers (any of
 * them together) and the values a status filter takes where the record names them.
 */
export const RECORD_RESOURCES: { def: RecordDefinition; singular: string; filters: ListFilter[]; statuses?: z.ZodMiniType<string> }[] = [
  { def: Accounts, singular: 'account', filters: ['ownerId', 'departmentId', 'status', 'region'], statuses: AccountStatusSchema },
  { def: Contacts, singular: 'contact', filters: ['ownerId', 'departmentId', 'accountId'] },
  { def: Leads, singular: 'lead', filters: ['ownerId', 'departmentId', 'status', 'region'], statuses: LeadStatusSchema },
  { def: Opportunities, singular: 'opportunity', filters: ['ownerId', 'departmentId', 'status', 'accountId'], statuses: OpportunityStageSchema },
  { def: Activities, singular: 'activity', filters: ['ownerId', 'departmentId', 'accountId', 'leadId'] },
  { def: Products, singular: 'product', filters: ['status'] },
  { def: Users, singular: 'user', filters: ['departmentId', 'status'] },
  { def: Departments, singular: 'department', filters: ['parentId'] },
];

/** A record type's list query: its filters, its statuses, and `q` where the type is searchable. */
export const recordListQuerySchema = ({ def, filters, statuses }: (typeof RECORD_RESOURCES)[number]) =>
  listQuerySchema(filters, { search: SEARCHABLE_FIELDS[def.type] !== undefined, ...(statuses ? { values: { status: statuses } } : {}) });

const recordRoutes = (resource: (typeof RECORD_RESOURCES)[number]): RouteSpec[] => {
  const { def, singular } = resource;
  const searched = SEARCHABLE_FIELDS[def.type];
  const base = `/${def.plural}`;
  const Singular = singular[0]!.toUpperCase() + singular.slice(1);
  const common = { auth: 'jwt', tag: def.plural } as const;
  return [
    { ...common, method: 'POST', path: base, operation: `records/create-${singular}`, summary: `Create ${/^[aeiou]/.test(singular) ? 'an' : 'a'} ${singular}`, contract: () => ({ body: def.create, response: def.record }) },
    { ...common, method: 'GET', path: base, operation: `records/list-${def.plural}`, summary: `List ${def.plural}, by any of its filters together${searched ? ` and a search of ${searched.join(', ')}` : ''}`, contract: () => ({ query: recordListQuerySchema(resource), response: listResponseSchema(def.record) }) },
    { ...common, method: 'GET', path: `${base}/{id}`, operation: `records/get-${singular}`, summary: `Read one ${singular}`, contract: () => ({ response: def.record }) },
    { ...common, method: 'PATCH', path: `${base}/{id}`, operation: `records/update-${singular}`, summary: `Change one ${singular} (optimistic: send the version you read)`, contract: () => ({ body: def.update, response: def.record }) },
    { ...common, method: 'DELETE', path: `${base}/{id}`, operation: `records/delete-${singular}`, summary: `${Singular} soft delete (kept for workflows that reference it)`, contract: () => ({ query: DeleteQuerySchema, response: def.record }) },
  ];
};

/** The records domain's routes: the five per record type, the account 360 and a user's away period. */
export const RECORD_ROUTES: RouteSpec[] = [
  ...RECORD_RESOURCES.flatMap(recordRoutes),
  {
    method: 'GET', path: '/accounts/{id}/360', operation: 'records/get-account-360', auth: 'jwt', tag: 'accounts',
    summary: 'The account with its contacts, open opportunities and latest activities, in one read',
    contract: () => ({ response: account360Schema() }),
  },
    { auth: 'jwt', tag: 'users', method: 'PUT', path: '/users/{id}/away', operation: 'records/set-user-away', contract: () => ({ body: AwayBodySchema }), summary: 'Away until a date with a delegate for new approval tasks, or back (awayUntil null)' },
];
